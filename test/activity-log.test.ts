// Issue 13's acceptance: the activity log as an operator reads it, against the real product on
// both stores. Okta's user lifecycle and an Entra group sync are replayed with a 409, a 400 and a
// 401 of another tenant's known key among them; every request then has exactly one entry, in the
// order sent, with the request id the client got back, the key's label and the IdP, diffs for
// writes, and no secret anywhere, read through gRPC and through `scimgw-admin activity --json`.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import path from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { storeKindsUnderTest } from "@scimgw/test-stores";
import { createDirectoryClient, type ActivityEntry, type DirectoryClient, IdentityProvider } from "@scimgw/directory-client";
import { Product } from "./support/product.js";
import { patchOpUrn, scimClient, userSchemaUrn, type ScimResponse } from "./support/scim-client.js";

const adminMain = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../services/directory/dist/admin/main.js");
const okta = { "User-Agent": "Okta SCIM Client 1.0.0" };
const entra = { "User-Agent": "Microsoft Azure Active Directory SCIM Client" };
const groupSchemaUrn = "urn:ietf:params:scim:schemas:core:2.0:Group";
const password = "Pr0visioned-Secret!";

/** An entry as `scimgw-admin activity --json` prints it. */
interface CliEntry {
  seq: number;
  requestId: string;
  keyId: string;
  keyLabel: string;
  idp: string;
  method: string;
  path: string;
  query: string;
  resourceType: string | null;
  resourceId: string | null;
  status: number;
  scimType: string | null;
  detail: string | null;
  diff: { attributes?: Array<{ attribute: string }>; membersAdded?: number } | null;
}

/** Waits (a failure detector: at most 15 s) until a check passes; gateway batches arrive within a second. */
async function eventually<T>(read: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const value = await read();
    if (done(value) || Date.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

for (const store of await storeKindsUnderTest()) {
  describe(`activity log on ${store}`, () => {
    let product: Product;
    let directory: DirectoryClient;
    let tenantId: string;
    let oktaKey: string;
    let oktaKeyId: string;
    let entraKey: string;

    before(async () => {
      // A short key cache, so suspending a tenant shows within a second.
      product = await Product.start({ store, gatewayEnv: { API_KEY_CACHE_SECONDS: "1" } });
      await product.admin(["tenants", "create", "acme"]);
      tenantId = await product.tenantIdOf("acme");
      const issued = JSON.parse(await product.admin(["keys", "issue", "acme", "--label", "okta-prod", "--json"])) as {
        key: string;
        keyId: string;
      };
      oktaKey = issued.key;
      oktaKeyId = issued.keyId;
      entraKey = (JSON.parse(await product.admin(["keys", "issue", "acme", "--label", "entra-prod", "--json"])) as { key: string }).key;
      const credential = await product.issueServiceCredential("activity-reader", "read-only");
      directory = createDirectoryClient({ address: product.directoryAddresses[0]!, serviceCredential: credential });
    });
    after(async () => {
      directory?.close();
      await product?.stop();
    });

    async function grpcEntries(tenant: string): Promise<ActivityEntry[]> {
      const entries: ActivityEntry[] = [];
      let pageToken = "";
      do {
        const page = await directory.activity.listActivity({ tenantId: tenant, pageSize: 7, pageToken });
        entries.push(...page.entries);
        pageToken = page.nextPageToken;
      } while (pageToken !== "");
      return entries.reverse();
    }

    test("Okta's lifecycle and an Entra group sync: one entry per request, in order, as the clients were answered", async () => {
      const oktaClient = scimClient(product.baseUrl, oktaKey);
      const entraClient = scimClient(product.baseUrl, entraKey);
      const sent: Array<{ response: ScimResponse; idp: string; label: string; method: string }> = [];
      const record = async (idp: "okta" | "entra", method: string, request: Promise<ScimResponse>) => {
        const response = await request;
        sent.push({ response, idp, label: idp === "okta" ? "okta-prod" : "entra-prod", method });
        return response;
      };
      const userName = "ada@acme.example";
      // Okta: the connector test's lookup, create (with a password), read, a duplicate, a bad PUT, deactivation.
      await record(
        "okta",
        "GET",
        oktaClient.get(`/Users?filter=${encodeURIComponent(`userName eq "${userName}"`)}&startIndex=1&count=100`, { headers: okta }),
      );
      const created = await record(
        "okta",
        "POST",
        oktaClient.post(
          "/Users",
          { schemas: [userSchemaUrn], userName, name: { givenName: "Ada", familyName: "L" }, password, active: true },
          { headers: okta },
        ),
      );
      assert.equal(created.status, 201);
      const userId = created.body.id as string;
      assert.equal((await record("okta", "GET", oktaClient.get(`/Users/${userId}`, { headers: okta }))).status, 200);
      assert.equal(
        (await record("okta", "POST", oktaClient.post("/Users", { schemas: [userSchemaUrn], userName }, { headers: okta }))).status,
        409,
      );
      assert.equal(
        (
          await record(
            "okta",
            "PUT",
            oktaClient.put(`/Users/${userId}`, { schemas: [userSchemaUrn], userName, active: "sometimes" }, { headers: okta }),
          )
        ).status,
        400,
      );
      const deactivated = await record(
        "okta",
        "PATCH",
        oktaClient.patch(
          `/Users/${userId}`,
          { schemas: [patchOpUrn], Operations: [{ op: "replace", value: { active: false } }] },
          { headers: okta },
        ),
      );
      assert.equal(deactivated.status, 200);
      // Entra: a group created, a member added, then looked up by name.
      const group = await record(
        "entra",
        "POST",
        entraClient.post("/Groups", { schemas: [groupSchemaUrn], displayName: "Engineering", externalId: "e1" }, { headers: entra }),
      );
      assert.equal(group.status, 201);
      const groupId = group.body.id as string;
      const added = await record(
        "entra",
        "PATCH",
        entraClient.patch(
          `/Groups/${groupId}`,
          { schemas: [patchOpUrn], Operations: [{ op: "Add", path: "members", value: [{ value: userId }] }] },
          { headers: entra },
        ),
      );
      assert.equal(added.status, 204);
      await record(
        "entra",
        "GET",
        entraClient.get(`/Groups?filter=${encodeURIComponent('displayName eq "Engineering"')}&excludedAttributes=members`, {
          headers: entra,
        }),
      );

      // Another tenant's key, known to the directory but revoked: its 401 belongs to that tenant's log.
      const globexKey = await product.seedTenant("globex");
      const globexId = await product.tenantIdOf("globex");
      const globexKeys = JSON.parse(await product.admin(["keys", "list", "globex", "--json"])) as Array<{ id: string }>;
      await product.admin(["keys", "revoke", "globex", globexKeys[0]!.id]);
      const refused = await scimClient(product.baseUrl, globexKey).get("/Users", { headers: okta });
      assert.equal(refused.status, 401);

      const requestIds = sent.map(({ response }) => response.headers.get("x-request-id"));
      assert.ok(
        requestIds.every((id) => typeof id === "string" && id !== ""),
        "every response names its request",
      );
      const entries = await eventually(
        () => grpcEntries(tenantId),
        (found) => found.length >= sent.length,
      );
      assert.deepEqual(
        entries.map((entry) => entry.request?.requestId),
        requestIds,
        "one entry per request, in the order sent, with the id each response carried",
      );
      assert.deepEqual(
        entries.map((entry) => [entry.request?.method, entry.status]),
        sent.map(({ response, method }) => [method, response.status]),
      );
      assert.deepEqual(
        entries.map((entry) => [entry.request?.keyLabel, entry.request?.identityProvider]),
        sent.map(({ idp, label }) => [label, idp === "okta" ? IdentityProvider.OKTA : IdentityProvider.ENTRA]),
      );
      const byRequest = new Map(entries.map((entry) => [entry.request?.requestId, entry]));
      const createdEntry = byRequest.get(requestIds[1]!);
      assert.deepEqual([createdEntry?.resourceType, createdEntry?.resourceId], ["User", userId]);
      assert.deepEqual(
        createdEntry?.diff?.attributes.map((change) => change.attribute),
        ["active", "name", "password", "userName"],
        "a create's diff names what it set, the password by name only",
      );
      assert.deepEqual(
        byRequest.get(requestIds[5]!)?.diff?.attributes.map((change) => change.attribute),
        ["active"],
      );
      assert.equal(byRequest.get(requestIds[7]!)?.diff?.membersAdded, 1);
      const duplicate = byRequest.get(requestIds[3]!);
      assert.deepEqual([duplicate?.scimType, duplicate?.diff], ["uniqueness", undefined]);
      assert.match(duplicate?.detail ?? "", /already taken/);
      assert.equal(byRequest.get(requestIds[4]!)?.status, 400);
      assert.equal(entries[0]?.request?.query, 'filter=userName eq "…"&startIndex=1&count=100', "filter values are not kept");

      const globexEntries = await eventually(
        () => grpcEntries(globexId),
        (found) => found.length >= 1,
      );
      assert.deepEqual(
        globexEntries.map((entry) => [entry.request?.requestId, entry.status, entry.request?.keyId]),
        [[refused.headers.get("x-request-id"), 401, globexKeys[0]!.id]],
        "the refusal is in the key's own tenant, not in acme's",
      );

      // The same log through the CLI, as an operator reads it.
      const cli = JSON.parse(await product.admin(["activity", "acme", "--json", "--limit", "100"])) as CliEntry[];
      assert.deepEqual(
        cli.map((entry) => entry.requestId),
        requestIds,
      );
      assert.deepEqual(
        cli.map((entry) => [entry.idp, entry.keyLabel]),
        sent.map(({ idp, label }) => [idp, label]),
      );
      const failures = JSON.parse(await product.admin(["activity", "acme", "--json", "--status", "4xx"])) as CliEntry[];
      assert.deepEqual(
        failures.map((entry) => [entry.status, entry.scimType]),
        [
          [409, "uniqueness"],
          [400, "invalidValue"],
        ],
      );
      const aboutUser = JSON.parse(
        await product.admin(["activity", "acme", "--json", "--resource", userId, "--key", oktaKeyId]),
      ) as CliEntry[];
      assert.deepEqual(
        aboutUser.map((entry) => entry.method),
        ["POST", "GET", "PUT", "PATCH"],
      );
      const text = await product.admin(["activity", "acme", "--status", "409"]);
      assert.match(text, /409 {2}POST \/services\/scim\/v2\/Users {2}okta\/okta-prod .*uniqueness: .*already taken/);
      const shown = JSON.parse(await product.admin(["users", "show", "acme", userName, "--json"])) as { activity: CliEntry[] };
      assert.deepEqual(
        shown.activity.map((entry) => entry.method),
        ["PATCH", "PUT", "GET", "POST"],
        "users show: the user's latest entries, latest first",
      );

      // No secret anywhere: not the keys, not the password, not even a bearer header.
      const everything = JSON.stringify([
        cli,
        globexEntries.map((entry) => entry.request?.requestId),
        JSON.parse(await product.admin(["activity", "globex", "--json"])),
      ]);
      for (const secret of [oktaKey, entraKey, globexKey, password, "Bearer"])
        assert.ok(!everything.includes(secret), `no ${secret.slice(0, 10)}… in the log`);
    });

    test("a suspended tenant's keys get 401 saying so, recorded in its log; resuming restores them, with nothing lost", async () => {
      const client = scimClient(product.baseUrl, oktaKey);
      const before = (await client.get("/Users?count=1", { headers: okta })).body.totalResults as number;
      await product.admin(["tenants", "suspend", "acme"]);
      const refused = await eventually(
        () => client.get("/Users", { headers: okta }),
        (response) => response.status === 401,
      );
      assert.equal(refused.status, 401);
      assert.match(refused.body.detail, /tenant is suspended/);
      const listed = JSON.parse(await product.admin(["tenants", "list", "--json"])) as Array<{ name: string; suspendedAt: string | null }>;
      assert.ok(listed.find((tenant) => tenant.name === "acme")?.suspendedAt);
      const entries = await eventually(
        () => grpcEntries(tenantId),
        (found) => found.some((entry) => entry.request?.requestId === refused.headers.get("x-request-id")),
      );
      assert.match(entries.find((entry) => entry.request?.requestId === refused.headers.get("x-request-id"))?.detail ?? "", /suspended/);

      await product.admin(["tenants", "resume", "acme"]);
      const back = await eventually(
        () => client.get("/Users?count=1", { headers: okta }),
        (response) => response.status === 200,
      );
      assert.equal(back.body.totalResults, before, "nothing was deleted");
    });

    test("bad activity and suspension commands are refused with a clear message and their exit code", async () => {
      const usage = [
        [["activity", "acme", "--status", "6xx"], /--status.*status class \(2xx, 3xx, 4xx, 5xx\) or a status/],
        [["activity", "acme", "--since", "yesterday"], /--since.*duration back from now/],
        [["activity", "acme", "--limit", "0"], /--limit.*whole number/],
        [["activity", "acme", "--follow", "--until", "1h"], /--follow.*no --until/],
        [["tenants", "suspend"], /missing required argument 'tenant'/],
      ] as const;
      for (const [args, message] of usage) {
        const failure = await product.adminFailure([...args]);
        assert.equal(failure.code, 2, `${args.join(" ")} is a usage error`);
        assert.match(failure.stderr, message);
      }
      for (const args of [
        ["activity", "no-such-tenant"],
        ["tenants", "suspend", "no-such-tenant"],
        ["tenants", "resume", "no-such-tenant"],
      ]) {
        const failure = await product.adminFailure(args);
        assert.equal(failure.code, 2, `${args.join(" ")} is a refusal that says what to change (README: exit codes)`);
        assert.match(failure.stderr, /tenant "no-such-tenant" not found/);
      }
      const suspended = JSON.parse(await product.admin(["tenants", "suspend", "globex", "--json"])) as {
        name: string;
        suspendedAt: string;
      };
      assert.equal(suspended.name, "globex");
      assert.match(suspended.suspendedAt, /^\d{4}-\d{2}-\d{2}T/);
      assert.match(await product.admin(["tenants", "resume", "globex"]), /Resumed tenant "globex"/);
      assert.match(await product.admin(["activity", "globex", "--status", "5xx"]), /No activity for tenant "globex" matches/);
    });

    test("activity --follow prints new entries as they are recorded, as JSON lines, until interrupted", async () => {
      const follower = spawn(process.execPath, [adminMain, "activity", "acme", "--follow", "--json", "--limit", "1"], {
        env: product.env,
        stdio: ["ignore", "pipe", "pipe"],
      });
      const lines: CliEntry[] = [];
      createInterface({ input: follower.stdout! }).on("line", (line) => lines.push(JSON.parse(line) as CliEntry));
      await eventually(
        async () => lines.length,
        (count) => count >= 1,
      );
      const response = await scimClient(product.baseUrl, oktaKey).get("/Users?count=1", { headers: okta });
      const requestId = response.headers.get("x-request-id");
      const seen = await eventually(
        async () => lines.some((line) => line.requestId === requestId),
        (found) => found,
      );
      assert.ok(seen, "the new request's entry was printed");
      const exited = new Promise<number | null>((resolve) => follower.once("exit", resolve));
      follower.kill("SIGINT");
      assert.equal(await exited, 0, "interrupting --follow is a normal end");
    });
  });
}
