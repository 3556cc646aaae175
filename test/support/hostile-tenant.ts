// A misbehaving tenant, as its own process so that its big bodies and its flood cost the test
// runner nothing: `node --import tsx hostile-tenant.ts` with HOSTILE_BASE_URL, HOSTILE_API_KEY,
// HOSTILE_USER_ID (a user of that tenant to aim PATCHes at), HOSTILE_SECONDS and
// HOSTILE_CONCURRENCY. It sends, over and over from several loops at once, every kind of request a
// tenant must not be able to hurt others with, and prints one JSON line: how many answers of each
// status, and every answer that was not a 4xx (or a 429 without Retry-After) where a refusal was due.
import { patchOpUrn, userSchemaUrn } from "./scim-client.js";

const baseUrl = required("HOSTILE_BASE_URL");
const apiKey = required("HOSTILE_API_KEY");
const userId = required("HOSTILE_USER_ID");
const seconds = Number(process.env.HOSTILE_SECONDS ?? "10");
const concurrency = Number(process.env.HOSTILE_CONCURRENCY ?? "8");

function required(name: string): string {
  const value = process.env[name];
  if (value === undefined || value === "") throw new Error(`${name} is required`);
  return value;
}

interface Attack {
  name: string;
  method: string;
  path: string;
  body?: string;
  /** Valid once the limits apply (answered, not refused): a 2xx is right for it. */
  validWhenLimited?: boolean;
}

const bigEmailsPatch = JSON.stringify({
  schemas: [patchOpUrn],
  Operations: Array.from({ length: 8000 }, (_, index) => ({
    op: "add",
    path: "emails",
    value: [{ value: `e${index}@example.com`, type: "other" }],
  })),
});
const orFilter = (terms: number) => Array.from({ length: terms }, (_, index) => `userName eq "u${index}"`).join(" or ");
const user = (extra: Record<string, unknown>) =>
  JSON.stringify({ schemas: [userSchemaUrn], userName: `hostile.${Math.random()}@example.com`, ...extra });

/** Every attack is refused by a limit of ours: none may be stored, none may cost other tenants. */
const attacks: Attack[] = [
  { name: "8,000-op PATCH", method: "PATCH", path: `/Users/${userId}`, body: bigEmailsPatch },
  { name: "5 MB body", method: "POST", path: "/Users", body: user({ displayName: "x".repeat(5 * 1024 * 1024) }) },
  {
    name: "10,000-term filter",
    method: "POST",
    path: "/Users/.search",
    body: JSON.stringify({ schemas: ["urn:ietf:params:scim:api:messages:2.0:SearchRequest"], filter: orFilter(10_000) }),
  },
  // Both used to be 500s; within the limits they are plain queries (an empty page for the clamp).
  { name: "50-term or filter", method: "GET", path: `/Users?filter=${encodeURIComponent(orFilter(50))}`, validWhenLimited: true },
  {
    name: "oversize userName",
    method: "POST",
    path: "/Users",
    body: JSON.stringify({ schemas: [userSchemaUrn], userName: `${"u".repeat(100_000)}@example.com` }),
  },
  { name: "oversize externalId", method: "POST", path: "/Users", body: user({ externalId: "e".repeat(100_000) }) },
  {
    name: "NUL in userName",
    method: "POST",
    path: "/Users",
    body: JSON.stringify({ schemas: [userSchemaUrn], userName: "nul\u0000@example.com" }),
  },
  { name: "lone surrogate", method: "POST", path: "/Users", body: `{"schemas":["${userSchemaUrn}"],"userName":"lone\\ud800@example.com"}` },
  {
    name: "bidi override",
    method: "POST",
    path: "/Users",
    body: JSON.stringify({ schemas: [userSchemaUrn], userName: "admin\u202e@example.com" }),
  },
  {
    name: "huge startIndex",
    method: "GET",
    path: "/Users?startIndex=99999999999999999999&count=99999999999999999999",
    validWhenLimited: true,
  },
  { name: "odd id", method: "GET", path: "/Users/%00" },
];

const counts: Record<string, number> = {};
const unexpected: Array<{ attack: string; status: number; detail: string }> = [];

async function send(attack: Attack): Promise<void> {
  const headers: Record<string, string> = { Authorization: `Bearer ${apiKey}`, Accept: "application/scim+json" };
  if (attack.body !== undefined) headers["Content-Type"] = "application/scim+json";
  let status = 0;
  let detail = "";
  try {
    const response = await fetch(`${baseUrl}${attack.path}`, {
      method: attack.method,
      headers,
      ...(attack.body === undefined ? {} : { body: attack.body }),
    });
    status = response.status;
    const text = await response.text();
    detail = text.slice(0, 300);
    if (status === 429 && response.headers.get("retry-after") === null)
      unexpected.push({ attack: attack.name, status, detail: "429 without Retry-After" });
  } catch (error) {
    // A gateway that cuts a connection (as it may for an oversize body) is a refusal too, but say so.
    detail = String(error);
  }
  counts[`${attack.name} -> ${status}`] = (counts[`${attack.name} -> ${status}`] ?? 0) + 1;
  const answered = attack.validWhenLimited === true && status >= 200 && status < 300;
  if (!answered && (status < 400 || status >= 500)) unexpected.push({ attack: attack.name, status, detail });
}

const deadline = Date.now() + seconds * 1000;
await Promise.all(
  Array.from({ length: concurrency }, async (_, loop) => {
    for (let index = loop; Date.now() < deadline; index++) await send(attacks[index % attacks.length]!);
  }),
);
process.stdout.write(`${JSON.stringify({ counts, unexpected: unexpected.slice(0, 50), unexpectedCount: unexpected.length })}\n`);
