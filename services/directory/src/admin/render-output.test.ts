// What the admin CLI prints of identity providers' data cannot drive the terminal.
import { test } from "node:test";
import assert from "node:assert/strict";
import { printable, renderJson, renderTable, startJsonArray } from "./render-output.js";

const hostile = [
  ["ESC sequence (retitle, recolour)", "a\u001b]0;owned\u0007b", "a\\u001b]0;owned\\u0007b"],
  ["carriage return that rewrites a line", "ok\rEVIL", "ok\\u000dEVIL"],
  ["newline that forges a row", "x\ny", "x\\u000ay"],
  ["DEL", "a\u007fb", "a\\u007fb"],
  ["C1 CSI", "a\u009b31mb", "a\\u009b31mb"],
  ["bidi override (Trojan Source)", "user\u202eadmin", "user\\u202eadmin"],
  ["bidi isolate", "a\u2066b\u2069", "a\\u2066b\\u2069"],
  ["plain text and other scripts stay as they are", "Zoë 山田 \u00e9", "Zoë 山田 \u00e9"],
] as const;

for (const [name, input, shown] of hostile) {
  test(`printable: ${name}`, () => assert.equal(printable(input), shown));
}

test("tables escape every cell", () => {
  const table = renderTable(["name"], [["a\u001b[2Jb"], ["c\u202ed"]]);
  assert.ok(!table.includes("\u001b") && !table.includes("\u202e"));
  assert.match(table, /a\\u001b\[2Jb/);
});

test("JSON stays valid and means the same, with C1 and bidi controls escaped too", () => {
  const value = { name: "a\u009bb\u202ec\u0007" };
  const json = renderJson(value);
  for (const control of ["\u0007", "\u009b", "\u202e"]) assert.ok(!json.includes(control), JSON.stringify(control));
  assert.deepEqual(JSON.parse(json), value);
});

test("a JSON array written an item at a time is the document renderJson prints for the whole array", () => {
  for (const items of [[], [{ name: "a\u202eb", nested: { list: [1, 2] } }], [{ id: 1 }, "x\ny", null, []]]) {
    let written = "";
    const array = startJsonArray({ write: (text) => (written += text) });
    for (const item of items) array.add(item);
    array.end();
    assert.equal(written, renderJson(items));
  }
});
