// A change-feed consumer that may be killed at any instant (SIGKILL included) and, restarted,
// carries on having seen every change exactly once, in order. Run as its own process:
//
//   DIRECTORY_ADDRESS=host:port DIRECTORY_CREDENTIAL=... TENANT_ID=... JOURNAL_FILE=path \
//     node --import tsx test/support/journal-consumer.ts
//
// The pattern internal services should copy: the consumer's state and its cursor are committed
// together, in one write. Here the state is a journal of the events themselves, one JSON line
// each, and the cursor is the seq of the last complete line, so there is no second record that a
// crash could leave behind or ahead of the first. A consumer that kept its state in one place and
// its cursor in another would, killed between the two writes, either repeat an event (cursor
// behind) or lose one (cursor ahead). A service with a database does the same with one
// transaction that applies the event and stores the seq.
//
// Each line goes out in one write(2). Once it returns, the line is in the kernel and survives the
// process being killed; surviving a machine crash too would take an fsync per write or per batch.
// A write that was cut short (disk full, power loss) leaves a line without its newline: on start
// that partial line is dropped, and the event it held is read again from the feed.
import { closeSync, existsSync, openSync, readFileSync, truncateSync, writeSync } from "node:fs";
import { fromJsonString, toJsonString } from "@bufbuild/protobuf";
import { ChangeEventSchema } from "@scimgw/proto";
import { createDirectoryClient } from "@scimgw/directory-client";

function setting(name: string): string {
  const value = process.env[name];
  if (value === undefined || value === "") {
    process.stderr.write(`journal-consumer: set ${name} (needs DIRECTORY_ADDRESS, DIRECTORY_CREDENTIAL, TENANT_ID, JOURNAL_FILE)\n`);
    process.exit(2);
  }
  return value;
}

/** Drops a trailing partial line and returns the seq of the last complete one (0 for none). */
function recoverJournal(file: string): bigint {
  if (!existsSync(file)) return 0n;
  const text = readFileSync(file, "utf8");
  const complete = text.slice(0, text.lastIndexOf("\n") + 1);
  if (complete.length < text.length) truncateSync(file, Buffer.byteLength(complete));
  const lastLine = complete.trimEnd().split("\n").pop();
  return lastLine === undefined || lastLine === "" ? 0n : fromJsonString(ChangeEventSchema, lastLine).seq;
}

const address = setting("DIRECTORY_ADDRESS");
const serviceCredential = setting("DIRECTORY_CREDENTIAL");
const tenantId = setting("TENANT_ID");
const journalFile = setting("JOURNAL_FILE");

const after = recoverJournal(journalFile);
const journal = openSync(journalFile, "a");
const client = createDirectoryClient({ address, serviceCredential });
const controller = new AbortController();
process.once("SIGTERM", () => controller.abort());
process.once("SIGINT", () => controller.abort());

process.stdout.write(`following tenant ${tenantId} after seq ${after}\n`);
try {
  for await (const event of client.watchChanges(tenantId, { after, signal: controller.signal, backoff: { initialMs: 50, maxMs: 1000 } })) {
    const line = Buffer.from(`${toJsonString(ChangeEventSchema, event)}\n`);
    // A short write would leave a partial line with more lines after it; stop instead, and let
    // the restart drop it.
    if (writeSync(journal, line) !== line.length) throw new Error(`short write of seq ${event.seq} to ${journalFile}`);
  }
} catch (error) {
  process.stderr.write(`journal-consumer: stopped: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
} finally {
  closeSync(journal);
  client.close();
}
