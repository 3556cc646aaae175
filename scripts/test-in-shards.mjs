#!/usr/bin/env node
// Runs a package's test files in a few processes ("shards") instead of one process per file, as
// `node --test` does: each process pays for tsx and for loading the code under test (about a
// CPU-second, more for the services) once per shard instead of once per file.
//
//   node ../../scripts/test-in-shards.mjs [--shards N] [--concurrency C] [--weights weights.json]
//        [--write-weights weights.json] <file.test.ts>...
//
// - Every file named is run, and the files are named by the caller (`find` in the package's test
//   script), so a new test file is picked up by itself. `--weights` is a JSON file of seconds per
//   file (`{ "default": 20, "files": { "a.test.ts": 95 } }`) used only to balance the shards
//   (heaviest first onto the lightest shard); a file it does not list weighs `default` (else the
//   median of those listed). `--write-weights` records the seconds each file took in this run.
// - A file that must have a process to itself (it installs something global to the process, such
//   as the OpenTelemetry tracer provider) says so by containing the text `test-in-shards: own process`.
// - In a shard the files run one after another, each as a suite named by its path (see
//   test-shard.mjs); `--concurrency` shards run at once. Each shard's output (node:test's spec
//   reporter) is printed whole when the shard ends, so shards never interleave; then a summary
//   names every failed test with its file. Any failure, and any file that did not report (its
//   shard crashed or was killed), fails the run.
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

const here = path.dirname(fileURLToPath(import.meta.url));
const ownProcessMarker = "test-in-shards: own process";

const { values: options, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    shards: { type: "string", default: "2" },
    concurrency: { type: "string", default: "2" },
    weights: { type: "string" },
    "write-weights": { type: "string" },
  },
});

function positiveInteger(name) {
  const value = Number(options[name]);
  if (!Number.isInteger(value) || value < 1) throw new Error(`test-in-shards: --${name} must be a positive integer, not ${options[name]}`);
  return value;
}

const shardCount = positiveInteger("shards");
const concurrency = positiveInteger("concurrency");
const files = [...new Set(positionals.map((file) => path.relative(".", file)))].sort();
if (files.length === 0) throw new Error("test-in-shards: no test files given");
for (const file of files) if (!existsSync(file)) throw new Error(`test-in-shards: ${file} does not exist`);

/** Seconds per file, from the weights file; unknown files weigh its default (or the median). */
function readWeights() {
  const listed = options.weights !== undefined && existsSync(options.weights) ? JSON.parse(readFileSync(options.weights, "utf8")) : {};
  const known = listed.files ?? {};
  const sorted = Object.values(known).sort((a, b) => a - b);
  const fallback = listed.default ?? sorted[Math.floor(sorted.length / 2)] ?? 1;
  return (file) => known[file] ?? fallback;
}

/** Longest processing time first: each file, heaviest first, onto the shard with the least weight so far. */
function planShards(weightOf) {
  const alone = files.filter((file) => readFileSync(file, "utf8").includes(ownProcessMarker));
  const shared = files.filter((file) => !alone.includes(file));
  const bins = Array.from({ length: Math.min(shardCount, shared.length) }, () => ({ files: [], weight: 0 }));
  for (const file of [...shared].sort((a, b) => weightOf(b) - weightOf(a) || a.localeCompare(b))) {
    const lightest = bins.reduce((best, bin) => (bin.weight < best.weight ? bin : best));
    lightest.files.push(file);
    lightest.weight += weightOf(file);
  }
  for (const file of alone) bins.push({ files: [file], weight: weightOf(file) });
  return bins.sort((a, b) => b.weight - a.weight);
}

const scratch = mkdtempSync(path.join(tmpdir(), "test-in-shards-"));
const children = new Set();

/** Runs one shard's files in one process; resolves with its exit, its output and its reporter's records. */
function runShard(shard, index, total) {
  const resultsFile = path.join(scratch, `shard-${index}.jsonl`);
  const args = [
    "--import",
    "tsx",
    "--test-reporter=spec",
    "--test-reporter-destination=stdout",
    `--test-reporter=${path.join(here, "test-shard-reporter.mjs")}`,
    `--test-reporter-destination=${resultsFile}`,
    path.join(here, "test-shard.mjs"),
    ...shard.files,
  ];
  const started = Date.now();
  process.stdout.write(`test-in-shards: shard ${index}/${total} started (${shard.files.length} files: ${shard.files.join(" ")})\n`);
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "pipe"] });
    children.add(child);
    const output = [];
    child.stdout.on("data", (chunk) => output.push(chunk));
    child.stderr.on("data", (chunk) => output.push(chunk));
    child.on("close", (code, signal) => {
      children.delete(child);
      const records = existsSync(resultsFile)
        ? readFileSync(resultsFile, "utf8")
            .split("\n")
            .filter((line) => line.trim() !== "")
            .map((line) => JSON.parse(line))
        : [];
      resolve({ shard, index, code, signal, output: Buffer.concat(output).toString(), records, seconds: (Date.now() - started) / 1000 });
    });
  });
}

for (const signal of ["SIGINT", "SIGTERM"]) {
  process.on(signal, () => {
    for (const child of children) child.kill(signal);
    process.exit(130);
  });
}

const weightOf = readWeights();
const shards = planShards(weightOf);
const results = [];
let next = 0;
async function worker() {
  while (next < shards.length) {
    const index = next++;
    const result = await runShard(shards[index], index + 1, shards.length);
    const status = result.code === 0 ? "passed" : result.signal ? `killed by ${result.signal}` : `failed (exit ${result.code})`;
    process.stdout.write(`\n===== test-in-shards: shard ${index + 1}/${shards.length} ${status} in ${result.seconds.toFixed(1)} s =====\n`);
    process.stdout.write(result.output.endsWith("\n") ? result.output : `${result.output}\n`);
    results.push(result);
  }
}
await Promise.all(Array.from({ length: Math.min(concurrency, shards.length) }, () => worker()));
rmSync(scratch, { recursive: true, force: true });

// The summary: every failed test by file, and every file that never reported.
const problems = [];
for (const result of results.sort((a, b) => a.index - b.index)) {
  const reported = new Map(result.records.filter((record) => record.kind === "file").map((record) => [record.file, record]));
  for (const file of result.shard.files) {
    const record = reported.get(file);
    if (record === undefined) {
      const how = result.signal ? `was killed by ${result.signal}` : `exited with code ${result.code}`;
      problems.push(`${file}: did not finish (shard ${result.index} ${how} before the file reported; see its output above)`);
    } else if (!record.ok) {
      const failures = result.records.filter((failure) => failure.kind === "failure" && failure.file === file);
      if (record.error !== undefined) problems.push(`${file}: ${record.error}`);
      for (const failure of failures) {
        problems.push(`${file} > ${failure.path.join(" > ")}: ${failure.error}${failure.location ? ` (${failure.location})` : ""}`);
      }
      if (failures.length === 0 && record.error === undefined) problems.push(`${file}: failed (see shard ${result.index}'s output above)`);
    }
  }
  // A test registered outside its file's suite (node:test lost the async context that ties it to
  // the file) would run, or be skipped, under no file's name: that is a failure of this runner.
  for (const record of reported.values()) {
    if (!result.shard.files.includes(record.file)) {
      problems.push(`"${record.file}" ran outside its file's suite in shard ${result.index} (${result.shard.files.join(" ")})`);
    }
  }
  if (result.code !== 0 && !problems.some((problem) => result.shard.files.some((file) => problem.startsWith(file)))) {
    problems.push(`shard ${result.index} (${result.shard.files.join(" ")}): exited with code ${result.code} although its files passed`);
  }
}

if (options["write-weights"] !== undefined) {
  const target = options["write-weights"];
  const previous = existsSync(target) ? JSON.parse(readFileSync(target, "utf8")) : {};
  const measured = { ...previous.files };
  for (const record of results.flatMap((result) => result.records)) {
    if (record.kind === "file") measured[record.file] = Math.round(record.seconds * 10) / 10;
  }
  const sortedFiles = Object.fromEntries(Object.entries(measured).sort(([a], [b]) => a.localeCompare(b)));
  writeFileSync(target, `${JSON.stringify({ ...previous, files: sortedFiles }, null, 2)}\n`);
  process.stdout.write(`test-in-shards: wrote the seconds of ${results.length} shards' files to ${target}\n`);
}

const fileCount = files.length;
if (problems.length === 0) {
  process.stdout.write(`\ntest-in-shards: all ${fileCount} files passed in ${shards.length} shards\n`);
} else {
  process.stdout.write(
    `\ntest-in-shards: ${problems.length} problem(s) in ${fileCount} files:\n${problems.map((problem) => `  ✖ ${problem}`).join("\n")}\n`,
  );
  process.exitCode = 1;
}
