import { test } from "node:test";
import assert from "node:assert/strict";
import { text } from "node:stream/consumers";
import { containsStreamedArray, jsonBody, jsonChunks, StreamedArray } from "./stream-json.js";

async function* pagesOf<T>(...pages: T[][]): AsyncGenerator<T[]> {
  for (const page of pages) {
    await new Promise((resolve) => setImmediate(resolve));
    yield page;
  }
}

const streamed = <T>(...pages: T[][]) => new StreamedArray(pagesOf(...pages));

async function written(value: unknown, chunkSize?: number): Promise<string> {
  let result = "";
  for await (const chunk of jsonChunks(value, chunkSize)) result += chunk;
  return result;
}

test("a value with streamed arrays is written as JSON.stringify writes the same value with the arrays whole", async () => {
  const member = (i: number) => ({ value: `u${i}`, $ref: `https://x/Users/u${i}`, type: "User", display: `user ${i} "quoted" ✓` });
  const cases: Array<[name: string, value: () => unknown, whole: unknown]> = [
    ["no stream at all", () => ({ a: 1, b: [true, null, "x"], c: { d: undefined } }), { a: 1, b: [true, null, "x"], c: {} }],
    ["one page", () => ({ id: "g", members: streamed([member(1), member(2)]) }), { id: "g", members: [member(1), member(2)] }],
    [
      "several pages, some empty",
      () => ({ id: "g", members: streamed([], [member(1)], [], [member(2), member(3)], []), meta: { version: 'W/"3"' } }),
      { id: "g", members: [member(1), member(2), member(3)], meta: { version: 'W/"3"' } },
    ],
    ["an empty stream", () => ({ members: streamed() }), { members: [] }],
    ["only empty pages", () => ({ members: streamed([], []) }), { members: [] }],
    [
      "a ListResponse whose resources stream, each with streamed members",
      () => ({
        schemas: ["urn:ietf:params:scim:api:messages:2.0:ListResponse"],
        totalResults: 3,
        Resources: streamed(
          [{ id: "u" }, { id: "g1", members: streamed([member(1)], [member(2)]) }],
          [],
          [{ id: "g2", members: streamed() }, { id: "g3" }, { id: "g4", members: streamed([member(4)]) }],
        ),
      }),
      {
        schemas: ["urn:ietf:params:scim:api:messages:2.0:ListResponse"],
        totalResults: 3,
        Resources: [
          { id: "u" },
          { id: "g1", members: [member(1), member(2)] },
          { id: "g2", members: [] },
          { id: "g3" },
          { id: "g4", members: [member(4)] },
        ],
      },
    ],
    ["a streamed array inside a plain array", () => [1, streamed([2], [3]), { x: streamed([undefined]) }], [1, [2, 3], { x: [null] }]],
  ];
  for (const [name, value, whole] of cases) {
    for (const chunkSize of [1, 16 * 1024]) {
      const text = await written(value(), chunkSize);
      assert.equal(text, JSON.stringify(whole), `${name} (chunks of ${chunkSize})`);
      assert.deepEqual(JSON.parse(text), JSON.parse(JSON.stringify(whole)), name);
    }
  }
});

test("containsStreamedArray finds a stream at any depth, and nothing in plain JSON", () => {
  assert.equal(containsStreamedArray({ a: [{ b: 1 }], c: null }), false);
  assert.equal(containsStreamedArray("x"), false);
  assert.equal(containsStreamedArray({ a: [{ b: streamed() }] }), true);
});

test("a page of members is one chunk, and the next page is read only when the reader asks", async () => {
  const read: number[] = [];
  async function* pages() {
    for (let page = 0; page < 3; page++) {
      read.push(page);
      yield Array.from({ length: 1000 }, (_, i) => ({ value: `m${page}-${i}` }));
    }
  }
  const chunks = jsonChunks({ id: "g", members: new StreamedArray(pages()) }, 1024);
  const first = await chunks.next();
  assert.ok(!first.done && first.value.startsWith('{"id":"g","members":[{"value":"m0-0"}'));
  assert.ok(first.value.endsWith('{"value":"m0-999"}'), "the whole first page, and nothing more");
  assert.deepEqual(read, [0], "the second page is not read before the first is taken");
  let rest = "";
  for await (const chunk of chunks) rest += chunk;
  assert.equal(JSON.parse(first.value + rest).members.length, 3000);
  assert.deepEqual(read, [0, 1, 2]);
});

test("a page that fails mid-document errors the body stream instead of ending it as if complete", async () => {
  async function* failing() {
    yield [{ value: "u1" }];
    throw new Error("directory went away");
  }
  await assert.rejects(text(jsonBody({ id: "g", members: new StreamedArray(failing()) })), /directory went away/);
});

test("a reader that goes away stops the pages (the generator is closed)", async () => {
  let closed = false;
  async function* endless() {
    try {
      for (let i = 0; ; i++) yield [{ value: `u${i}` }];
    } finally {
      closed = true;
    }
  }
  const body = jsonBody({ members: new StreamedArray(endless()) });
  await new Promise<void>((resolve) => body.once("data", () => resolve()));
  body.destroy();
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(closed, true);
});
