#!/usr/bin/env node
// Fails when the source of a package imports itself in a circle: between folders (users/ imports
// groups/ and groups/ imports users/), or between files. A folder is meant to be a layer that can
// be read and changed on its own; a folder cycle means it is not, even when no file cycle exists.
//
//   node scripts/check-import-cycles.mjs [root]   (root defaults to this repository)
//
// Scans services/*/src and packages/*/src (not src/gen/, which is generated), resolves relative
// imports (type-only ones too: they are dependencies for the reader), and prints each cycle with
// the imports that make it. Test files are scanned for file cycles but give folders no edges: a
// test beside the code may drive the whole server, and nothing imports a test, so such an edge
// never makes code load in a circle.
// Imports are read by TypeScript's own pre-processor (already a root devDependency), so comments
// and strings that merely look like imports are not mistaken for them.
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";

const sourceExtensions = [".ts", ".mts", ".cts", ".tsx"];
const isSource = (name) => sourceExtensions.some((extension) => name.endsWith(extension)) && !/\.d\.[mc]?ts$/.test(name);
const isTest = (file) => /\.test\.[mc]?tsx?$/.test(file);

/** Every package source folder under the root: services/<name>/src and packages/<name>/src. */
function packageSources(root) {
  const found = [];
  for (const group of ["services", "packages"]) {
    const groupDir = path.join(root, group);
    if (!existsSync(groupDir)) continue;
    for (const name of readdirSync(groupDir).sort()) {
      const src = path.join(groupDir, name, "src");
      if (existsSync(src) && statSync(src).isDirectory()) found.push(src);
    }
  }
  return found;
}

function sourceFiles(src) {
  const files = [];
  const walk = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) {
        if (entry.name === "node_modules" || full === path.join(src, "gen")) continue;
        walk(full);
      } else if (isSource(entry.name)) {
        files.push(full);
      }
    }
  };
  walk(src);
  return files;
}

/** The scanned file a relative specifier names (`./x.js` is `./x.ts` in NodeNext TypeScript), if any. */
function resolveImport(from, specifier, known) {
  const target = path.resolve(path.dirname(from), specifier);
  const stem = target.replace(/\.(m|c)?jsx?$/, "");
  const candidates = [
    target,
    ...sourceExtensions.map((extension) => stem + extension),
    ...sourceExtensions.map((extension) => path.join(target, `index${extension}`)),
  ];
  return candidates.find((candidate) => known.has(candidate));
}

/** Tarjan's strongly connected components; each component of more than one node holds a cycle. */
function stronglyConnected(graph) {
  let index = 0;
  const indices = new Map();
  const lowLinks = new Map();
  const stack = [];
  const onStack = new Set();
  const components = [];
  const visit = (node) => {
    indices.set(node, index);
    lowLinks.set(node, index);
    index++;
    stack.push(node);
    onStack.add(node);
    for (const next of graph.get(node) ?? []) {
      if (!indices.has(next)) {
        visit(next);
        lowLinks.set(node, Math.min(lowLinks.get(node), lowLinks.get(next)));
      } else if (onStack.has(next)) {
        lowLinks.set(node, Math.min(lowLinks.get(node), indices.get(next)));
      }
    }
    if (lowLinks.get(node) === indices.get(node)) {
      const component = [];
      let member;
      do {
        member = stack.pop();
        onStack.delete(member);
        component.push(member);
      } while (member !== node);
      components.push(component);
    }
  };
  for (const node of graph.keys()) if (!indices.has(node)) visit(node);
  return components;
}

/** The shortest cycle through the component's first node (in sorted order), as a node list ending where it starts. */
function cycleIn(component, graph) {
  const members = new Set(component);
  const start = [...component].sort()[0];
  const previous = new Map([[start, undefined]]);
  const queue = [start];
  while (queue.length > 0) {
    const node = queue.shift();
    for (const next of [...(graph.get(node) ?? [])].sort()) {
      if (next === start) {
        const path = [start];
        for (let at = node; at !== start; at = previous.get(at)) path.splice(1, 0, at);
        return [...path, start];
      }
      if (members.has(next) && !previous.has(next)) {
        previous.set(next, node);
        queue.push(next);
      }
    }
  }
  return [start, start];
}

function addEdge(graph, from, to) {
  if (!graph.has(from)) graph.set(from, new Set());
  if (!graph.has(to)) graph.set(to, new Set());
  graph.get(from).add(to);
}

/** The cycles of one package's source folder: each with the lines that explain it. */
function checkPackage(src, root) {
  const files = sourceFiles(src);
  const known = new Set(files);
  const relative = (file) => path.relative(src, file).split(path.sep).join("/");
  const folderOf = (file) => relative(path.dirname(file)) || ".";
  const fileGraph = new Map(files.map((file) => [relative(file), new Set()]));
  const folderGraph = new Map();
  /** One import that makes each folder edge, to show where to cut. */
  const folderEdgeExample = new Map();
  for (const file of files) {
    const { importedFiles } = ts.preProcessFile(readFileSync(file, "utf8"), true, true);
    for (const { fileName: specifier } of importedFiles) {
      if (!specifier.startsWith(".")) continue;
      const target = resolveImport(file, specifier, known);
      if (target === undefined) continue;
      addEdge(fileGraph, relative(file), relative(target));
      const [fromFolder, toFolder] = [folderOf(file), folderOf(target)];
      if (fromFolder === toFolder || isTest(file)) continue;
      addEdge(folderGraph, fromFolder, toFolder);
      const key = `${fromFolder}\0${toFolder}`;
      if (!folderEdgeExample.has(key)) folderEdgeExample.set(key, `${relative(file)} imports ${specifier}`);
    }
  }
  const name = path.relative(root, src).split(path.sep).join("/");
  const cycles = [];
  for (const component of stronglyConnected(folderGraph)) {
    if (component.length < 2) continue;
    const cycle = cycleIn(component, folderGraph);
    const imports = cycle.slice(0, -1).map((folder, at) => `    ${folderEdgeExample.get(`${folder}\0${cycle[at + 1]}`)}`);
    cycles.push({ key: `${name} folders: ${cycle.join(" -> ")}`, detail: imports });
  }
  for (const component of stronglyConnected(fileGraph)) {
    const [only] = component;
    if (component.length < 2 && !fileGraph.get(only).has(only)) continue;
    cycles.push({ key: `${name} files: ${cycleIn(component, fileGraph).join(" -> ")}`, detail: [] });
  }
  return { files: files.length, cycles };
}

const root = path.resolve(process.argv[2] ?? path.join(path.dirname(fileURLToPath(import.meta.url)), ".."));
const results = packageSources(root).map((src) => checkPackage(src, root));
const found = results.flatMap((result) => result.cycles);
for (const cycle of found) console.error([`import cycle in ${cycle.key}`, ...cycle.detail].join("\n"));
if (found.length > 0) process.exit(1);
console.log(`no import cycles: ${results.length} packages, ${results.reduce((sum, result) => sum + result.files, 0)} files`);
