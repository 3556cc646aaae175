import Table from "cli-table3";
import type { Output } from "./admin-context.js";

/**
 * Characters a terminal acts on rather than prints: C0 controls and DEL (cursor movement, and ESC
 * starting sequences that recolour, retitle or rewrite the screen), C1 controls (U+0080–U+009F, of
 * which U+009B is a one-character CSI), and the bidirectional controls that make text read in
 * another order than it is (CVE-2021-42574, "Trojan Source"). Names and attributes come from
 * identity providers, so any of them can hold these.
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is this pattern's whole purpose.
const unprintable = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/** What JSON.stringify leaves as itself among those: DEL, C1 and bidi (it escapes C0 in strings; a C0 outside is its own layout). */
const unprintableInJson = /[\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

const escapeCharacter = (character: string) => `\\u${character.charCodeAt(0).toString(16).padStart(4, "0")}`;

/** Shows user data on a terminal as text: each unprintable character becomes a visible \u escape. */
export function printable(text: string): string {
  return text.replace(unprintable, escapeCharacter);
}

/** A table for a terminal; no colours, so it reads the same when piped to a file or pasted into a ticket. */
export function renderTable(head: string[], rows: Array<Array<string | number | boolean>>): string {
  const rendered = new Table({ head, style: { head: [], border: [] } });
  rendered.push(...rows.map((row) => row.map((cell) => printable(String(cell)))));
  return `${rendered.toString()}\n`;
}

/** What --json prints: indented for a reader, one document per command . */
export function renderJson(value: unknown): string {
  // Those can only stand inside strings, where a \u escape means the same character.
  return `${JSON.stringify(value, null, 2).replace(unprintableInJson, escapeCharacter)}\n`;
}

/**
 * A JSON array written an item at a time, for lists too long to hold in memory: the same
 * document renderJson prints for the whole array.
 */
export function startJsonArray(out: Output) {
  let items = 0;
  return {
    add(item: unknown): void {
      const indented = renderJson(item).trimEnd().replace(/\n/g, "\n  ");
      out.write(`${items === 0 ? "[\n" : ",\n"}  ${indented}`);
      items += 1;
    },
    end(): void {
      out.write(items === 0 ? "[]\n" : "\n]\n");
    },
  };
}
