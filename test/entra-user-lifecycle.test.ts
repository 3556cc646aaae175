// Microsoft Entra ID's user provisioning, replayed over real HTTP against the real processes: Test
// Connection, lookup-then-create, updates in both PATCH dialects (legacy and aadOptscim062020), the
// manager, null updates, disable, hard delete, paging as the Logic-App validator walks it, and the
// RFC 7644 features a compliant client may use (ETags, .search, projection). The request shapes are
// Entra's (shared/IDP-NOTES.md §2: MS-USE, MS-COMPAT, MS-LOGICAPP, MGR-ISSUES); every response is
// checked against RFC 7644 by support/scim-checks.ts.
import { randomUUID } from "node:crypto";
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { storeKindsUnderTest } from "@scimgw/test-stores";
import { Product } from "./support/product.js";
import { randomUserName, scimClient, userSchemaUrn, type ScimClient } from "./support/scim-client.js";
import {
  assertListResponse,
  assertScimContentType,
  assertScimError,
  assertUserList,
  assertUserResponse,
  enterpriseUserUrn,
  searchRequestUrn,
  usersWhere,
  type ScimJson,
} from "./support/scim-checks.js";
import {
  compliantOp,
  enterprisePath,
  entraUser,
  legacyOp,
  patchRequest,
  type EntraUserOptions,
  type PatchOperation,
} from "./support/entra-requests.js";

/** A short random tag for values that must not collide with other tests' users. */
const tag = () => Math.random().toString(36).slice(2, 10);

/** The value at a PATCH-style path of a user: a top-level name or an enterprise URN-qualified one. */
function valueAt(user: ScimJson, path: string): unknown {
  const prefix = `${enterpriseUserUrn}:`;
  return path.startsWith(prefix) ? user[enterpriseUserUrn]?.[path.slice(prefix.length)] : user[path];
}

/** RFC 7643 §2.5: unassigned and null are the same state; the Logic-App validator also accepts "". */
function isEmpty(value: unknown): boolean {
  return value === undefined || value === null || value === "";
}

for (const store of await storeKindsUnderTest())
  describe(`Microsoft Entra user lifecycle on ${store}`, () => {
    let product: Product;
    let entra: ScimClient;

    before(async () => {
      product = await Product.start({ store });
      entra = scimClient(product.baseUrl, product.apiKey);
    });
    after(() => product.stop());

    async function createUser(options: EntraUserOptions = {}): Promise<ScimJson> {
      return assertUserResponse(await entra.post("/Users", entraUser(options)), 201);
    }

    async function readUser(id: string): Promise<ScimJson> {
      return assertUserResponse(await entra.get(`/Users/${id}`), 200);
    }

    /** Sends a PATCH, checks the 200 with the patched user, and that a GET returns the same user. */
    async function patchUser(id: string, ...operations: PatchOperation[]): Promise<ScimJson> {
      const patched = assertUserResponse(await entra.patch(`/Users/${id}`, patchRequest(...operations)), 200);
      assert.deepEqual(await readUser(id), patched, "a GET returns what the PATCH answered");
      return patched;
    }

    async function findOne(filter: string): Promise<ScimJson> {
      const body = assertUserList(await entra.get(usersWhere(filter)));
      assert.equal(body.totalResults, 1, filter);
      return body.Resources[0];
    }

    describe("Test Connection and lookups", () => {
      test("Test Connection: a query on a random GUID as matching property is 200 with an empty ListResponse", async () => {
        for (const matchingProperty of ["userName", "externalId"]) {
          const body = assertListResponse(await entra.get(usersWhere(`${matchingProperty} eq "${randomUUID()}"`)));
          assert.equal(body.totalResults, 0, matchingProperty);
          assert.deepEqual(body.Resources, [], matchingProperty);
        }
        // Entra also reads a user that does not exist to check the credentials.
        assertScimError(await entra.get(`/Users/${randomUUID()}`), 404);
      });

      test("lookup by userName eq and externalId eq, quoted or bare as in MS-USE's example, and both joined by and", async () => {
        const user = await createUser({ userName: `jyoung.${tag()}@testuser.com`, externalId: `jyoung${tag()}` });
        for (const filter of [
          `userName eq "${user.userName}"`,
          `externalId eq "${user.externalId}"`,
          `externalId eq ${user.externalId}`,
          `userName eq "${user.userName}" and externalId eq "${user.externalId}"`,
        ]) {
          assert.equal((await findOne(filter)).id, user.id, filter);
        }
        assert.equal(
          assertUserList(await entra.get(usersWhere(`userName eq "${user.userName}" and externalId eq "other"`))).totalResults,
          0,
        );
      });

      test('lookup by emails[type eq "work"].value eq, the third matching property (a filter on a multi-valued attribute)', async () => {
        const workEmail = `Joy.Work.${tag()}@Contoso.com`;
        const user = await createUser({ workEmail });
        // Another user holds the same address, but as a home email: a value path matches within one value.
        await createUser({
          more: {
            emails: [
              { type: "work", primary: true, value: `${tag()}@contoso.com` },
              { type: "home", value: workEmail },
            ],
          },
        });
        assert.equal((await findOne(`emails[type eq "work"].value eq "${workEmail}"`)).id, user.id);
        // emails.value is caseExact false (RFC 7643 §4.1.2).
        assert.equal((await findOne(`emails[type eq "work"].value eq "${workEmail.toLowerCase()}"`)).id, user.id);
        const none = assertUserList(await entra.get(usersWhere(`emails[type eq "work"].value eq "${randomUUID()}@contoso.com"`)));
        assert.equal(none.totalResults, 0);
      });

      test("Entra checks the current manager with a filter on id and the enterprise manager before changing it", async () => {
        const manager = await createUser({ givenName: "Grace", familyName: "Hopper" });
        const user = await createUser({ managerId: manager.id });
        const current = assertListResponse(
          await entra.get(usersWhere(`id eq "${user.id}" and ${enterprisePath("manager")} eq "${manager.id}"`, "&attributes=id")),
        );
        assert.equal(current.totalResults, 1);
        assert.equal(current.Resources[0].id, user.id);
        assert.equal(current.Resources[0].userName, undefined, "attributes=id returns id alone");
        const other = assertListResponse(
          await entra.get(usersWhere(`id eq "${user.id}" and ${enterprisePath("manager")} eq "${randomUUID()}"`, "&attributes=id")),
        );
        assert.equal(other.totalResults, 0);
      });
    });

    describe("create", () => {
      test("the user Entra creates (core and enterprise schemas, nulls, roles [], a client meta, a manager) is 201 and reads back the same", async () => {
        const manager = await createUser({ givenName: "Grace", familyName: "Hopper" });
        const userName = `Test_User_${randomUUID()}`;
        const body = entraUser({
          userName,
          workEmail: `Test_User_${tag()}@Contoso.com`,
          employeeNumber: "701984",
          department: "Engineering",
          managerId: manager.id,
        });
        const created = assertUserResponse(await entra.post("/Users", body), 201);
        assert.deepEqual([...created.schemas].sort(), [enterpriseUserUrn, userSchemaUrn].sort());
        assert.equal(created.userName, userName);
        assert.equal(created.externalId, body.externalId);
        assert.equal(created.active, true);
        // Values are stored as sent (MS-USE), the email's letter case included.
        assert.deepEqual(created.emails, body.emails);
        assert.deepEqual(created.name, body.name);
        // null and [] leave an attribute unassigned (RFC 7643 §2.5), and unassigned attributes are not returned.
        for (const attribute of ["addresses", "phoneNumbers", "preferredLanguage", "title", "roles", "department", "manager"]) {
          assert.equal(created[attribute], undefined, attribute);
        }
        assert.deepEqual(created[enterpriseUserUrn], {
          employeeNumber: "701984",
          department: "Engineering",
          manager: { value: manager.id },
        });
        assert.deepEqual(await readUser(created.id), created);
      });

      test("a second create with the same userName is 409 uniqueness", async () => {
        const body = entraUser();
        await createUser({ userName: body.userName as string });
        assertScimError(await entra.post("/Users", body), 409, "uniqueness");
      });
    });

    describe("update, legacy dialect (capitalised ops, string booleans)", () => {
      test("several attributes replaced by separate Replace ops, as MS-COMPAT shows without the flag", async () => {
        const user = await createUser();
        const change = {
          displayName: "Pat Vlo",
          workEmail: `pat.${tag()}@Contoso.com`,
          givenName: "Pat",
          familyName: "Vlo",
          externalId: randomUUID(),
          employeeNumber: "E-2",
          userName: randomUserName("renamed"),
        };
        const patched = await patchUser(
          user.id,
          legacyOp.replace("displayName", change.displayName),
          legacyOp.replace('emails[type eq "work"].value', change.workEmail),
          legacyOp.replace("name.givenName", change.givenName),
          legacyOp.replace("name.familyName", change.familyName),
          legacyOp.replace("externalId", change.externalId),
          legacyOp.replace(enterprisePath("employeeNumber"), change.employeeNumber),
          legacyOp.replace("userName", change.userName),
        );
        assert.equal(patched.displayName, change.displayName);
        assert.deepEqual(patched.emails, [{ primary: true, type: "work", value: change.workEmail }]);
        // Entra sends name.formatted on its own; a replace of the parts leaves it alone.
        assert.deepEqual(patched.name, { formatted: user.name.formatted, givenName: change.givenName, familyName: change.familyName });
        assert.equal(patched.externalId, change.externalId);
        assert.deepEqual(patched[enterpriseUserUrn], { ...user[enterpriseUserUrn], employeeNumber: change.employeeNumber });
        assert.equal(patched.userName, change.userName);
        assert.notEqual(patched.meta.version, user.meta.version, "every write changes the version");
        assert.equal((await findOne(`userName eq "${change.userName}"`)).id, user.id);
        assert.equal(assertUserList(await entra.get(usersWhere(`userName eq "${user.userName}"`))).totalResults, 0);
      });

      test("the attribute-mapping paths: mobile phone, work postal code, other email with a capitalised .Value, department and title", async () => {
        const workEmail = { primary: true, type: "work", value: `${tag()}@contoso.com` };
        const user = await createUser({
          more: {
            emails: [workEmail, { type: "other", value: `proxy.${tag()}@contoso.com` }],
            phoneNumbers: [
              { type: "mobile", value: "+1 (425) 555-0100" },
              { type: "work", value: "+1 (425) 555-0199" },
            ],
            addresses: [{ type: "work", streetAddress: "1 Main St", locality: "Redmond", postalCode: "98052", country: "US" }],
          },
        });
        const proxy = `smtp.${tag()}@contoso.com`;
        const patched = await patchUser(
          user.id,
          legacyOp.replace('phoneNumbers[type eq "mobile"].value', "4255550142"),
          legacyOp.replace('addresses[type eq "work"].postalCode', "98004"),
          legacyOp.replace('emails[type eq "other"].Value', proxy),
          legacyOp.replace(enterprisePath("department"), "Finance"),
          legacyOp.replace("title", "Controller"),
        );
        // Stored exactly as sent: no reformatting of the phone number (MS-USE).
        assert.deepEqual(patched.phoneNumbers, [
          { type: "mobile", value: "4255550142" },
          { type: "work", value: "+1 (425) 555-0199" },
        ]);
        assert.deepEqual(patched.addresses, [
          { type: "work", streetAddress: "1 Main St", locality: "Redmond", postalCode: "98004", country: "US" },
        ]);
        assert.deepEqual(patched.emails, [workEmail, { type: "other", value: proxy }]);
        assert.equal(patched[enterpriseUserUrn].department, "Finance");
        assert.equal(patched.title, "Controller");
      });

      test('Add of a single-valued attribute: {"op":"Add","path":"nickName","value":"Babs"}', async () => {
        const user = await createUser();
        assert.equal(user.nickName, undefined);
        assert.equal((await patchUser(user.id, legacyOp.add("nickName", "Babs"))).nickName, "Babs");
        // Add on a single-valued attribute that has a value replaces it (RFC 7644 §3.5.2.1).
        assert.equal((await patchUser(user.id, legacyOp.add("nickName", "Barbara"))).nickName, "Barbara");
      });

      test('Add on emails[type eq "work"].value changes the work email (MS-QA), and creates it when there is none', async () => {
        const user = await createUser();
        const changed = `changed.${tag()}@contoso.com`;
        const patched = await patchUser(user.id, legacyOp.add('emails[type eq "work"].value', changed));
        assert.deepEqual(patched.emails, [{ primary: true, type: "work", value: changed }]);

        const bare = await createUser({ more: { emails: null } });
        assert.equal(bare.emails, undefined);
        const added = await patchUser(bare.id, legacyOp.add('emails[type eq "work"].value', changed));
        assert.deepEqual(added.emails, [{ type: "work", value: changed }]);
      });

      test('disable with Replace active "False": the user stays, inactive, by id and by filter; "True" enables it again', async () => {
        const user = await createUser();
        const disabled = await patchUser(user.id, legacyOp.replace("active", "False"));
        assert.equal(disabled.active, false, "a string boolean is stored as a boolean");
        assert.equal((await findOne(`userName eq "${user.userName}"`)).active, false);
        assert.equal((await patchUser(user.id, legacyOp.replace("active", "True"))).active, true);
      });
    });

    describe("update, compliant dialect (aadOptscim062020)", () => {
      test("one path-less replace with dotted and URN-qualified keys, next to a filtered replace", async () => {
        const user = await createUser({ givenName: "Kim", familyName: "Akers" });
        const workEmail = `test.${tag()}@contoso.com`;
        const patched = await patchUser(
          user.id,
          compliantOp.replace('emails[type eq "work"].value', workEmail),
          compliantOp.replaceAttributes({
            displayName: "Bea Jones",
            "name.givenName": "Bea",
            "name.familyName": "Jones",
            [enterprisePath("employeeNumber")]: "E-7",
          }),
        );
        assert.deepEqual(patched.emails, [{ primary: true, type: "work", value: workEmail }]);
        assert.equal(patched.displayName, "Bea Jones");
        assert.deepEqual(patched.name, { formatted: "Kim Akers", givenName: "Bea", familyName: "Jones" });
        assert.deepEqual(patched[enterpriseUserUrn], { ...user[enterpriseUserUrn], employeeNumber: "E-7" });
        assert.equal(patched.userName, user.userName, "attributes not named are unchanged");
      });

      test("disable with a boolean false (and MS-USE's capitalised Replace with a boolean), enable with true", async () => {
        const user = await createUser();
        assert.equal((await patchUser(user.id, compliantOp.replace("active", false))).active, false);
        assert.equal((await patchUser(user.id, compliantOp.replace("active", true))).active, true);
        assert.equal((await patchUser(user.id, legacyOp.replace("active", false))).active, false);
        assert.equal((await readUser(user.id)).active, false, "a disabled user is still returned");
      });
    });

    describe("manager", () => {
      test("set with a bare id string on the enterprise URN path, as Entra sends it (MGR-ISSUES)", async () => {
        const manager = await createUser({ givenName: "Grace", familyName: "Hopper" });
        const user = await createUser();
        const patched = await patchUser(user.id, compliantOp.add(enterprisePath("manager"), manager.id));
        assert.equal(patched[enterpriseUserUrn].manager.value, manager.id);
        assert.equal(patched[enterpriseUserUrn].employeeNumber, user[enterpriseUserUrn].employeeNumber);
      });

      test('set as MS-USE documents it: Add "manager" with [{"$ref", "value"}]', async () => {
        const manager = await createUser({ givenName: "Grace", familyName: "Hopper" });
        const user = await createUser();
        const patched = await patchUser(
          user.id,
          legacyOp.add("manager", [{ $ref: `${product.baseUrl}/Users/${manager.id}`, value: manager.id }]),
        );
        assert.equal(patched[enterpriseUserUrn].manager.value, manager.id);
      });

      test("set (Add), changed (Replace), removed (Replace with empty), as the Logic-App validator does it", async () => {
        const [first, second] = [await createUser({ givenName: "First" }), await createUser({ givenName: "Second" })];
        const user = await createUser();
        const set = await patchUser(user.id, legacyOp.add(enterprisePath("manager"), first.id));
        assert.equal(set[enterpriseUserUrn].manager.value, first.id);
        const changed = await patchUser(user.id, legacyOp.replace(enterprisePath("manager"), second.id));
        assert.equal(changed[enterpriseUserUrn].manager.value, second.id);
        const removed = await patchUser(user.id, legacyOp.replace(enterprisePath("manager"), ""));
        assert.equal(removed[enterpriseUserUrn].manager, undefined);
        assert.equal(removed[enterpriseUserUrn].employeeNumber, user[enterpriseUserUrn].employeeNumber, "the rest of the extension stays");
      });

      test("removed by Remove, with no value and with the value the legacy dialect lists", async () => {
        const manager = await createUser({ givenName: "Grace", familyName: "Hopper" });
        for (const operation of [
          compliantOp.remove(enterprisePath("manager")),
          legacyOp.remove(enterprisePath("manager"), [{ value: manager.id }]),
        ]) {
          const user = await createUser({ managerId: manager.id });
          assert.equal(user[enterpriseUserUrn].manager.value, manager.id);
          const removed = await patchUser(user.id, operation);
          assert.equal(removed[enterpriseUserUrn].manager, undefined, JSON.stringify(operation));
        }
      });
    });

    test('null update (the validator\'s two phases): Replace with "" empties each optional attribute, Replace with null keeps it empty', async () => {
      const user = await createUser({
        more: {
          displayName: "Joy Young",
          title: "Engineer",
          nickName: "JY",
          preferredLanguage: "en-US",
          locale: "en-US",
          userType: "Employee",
        },
      });
      const paths = [
        "displayName",
        "title",
        "nickName",
        "preferredLanguage",
        "locale",
        "userType",
        enterprisePath("employeeNumber"),
        enterprisePath("department"),
      ];
      for (const path of paths) assert.ok(!isEmpty(valueAt(user, path)), `${path} starts with a value`);

      for (const empty of ["", null]) {
        const response = await entra.patch(`/Users/${user.id}`, patchRequest(...paths.map((path) => legacyOp.replace(path, empty))));
        assert.ok(
          [200, 204].includes(response.status),
          `PATCH with ${JSON.stringify(empty)}: ${response.status} ${JSON.stringify(response.body)}`,
        );
        const read = await readUser(user.id);
        for (const path of paths)
          assert.ok(isEmpty(valueAt(read, path)), `${path} after ${JSON.stringify(empty)}: ${JSON.stringify(valueAt(read, path))}`);
        assert.equal(read.userName, user.userName);
      }
    });

    describe("versions (RFC 7644 §3.14)", () => {
      test("PATCH with a stale If-Match is 412 and changes nothing; with the current one it is 200", async () => {
        const created = await entra.post("/Users", entraUser());
        const user = assertUserResponse(created, 201);
        const original = created.headers.get("etag");
        assert.ok(original, "a created user comes with an ETag");

        const current = await entra.patch(`/Users/${user.id}`, patchRequest(legacyOp.replace("displayName", "First")), {
          headers: { "If-Match": original },
        });
        const first = assertUserResponse(current, 200);
        assert.notEqual(current.headers.get("etag"), original);

        const stale = await entra.patch(`/Users/${user.id}`, patchRequest(legacyOp.replace("displayName", "Second")), {
          headers: { "If-Match": original },
        });
        assertScimError(stale, 412);
        const read = await entra.get(`/Users/${user.id}`);
        assert.equal(assertUserResponse(read, 200).displayName, "First");
        assert.equal(read.headers.get("etag"), current.headers.get("etag"));
        assert.equal(first.meta.version, read.headers.get("etag"));
      });

      test("GET with If-None-Match naming the current version is 304 without a body; an older one gets the user", async () => {
        const created = await entra.post("/Users", entraUser());
        const user = assertUserResponse(created, 201);
        const original = created.headers.get("etag") ?? "";
        const unchanged = await entra.get(`/Users/${user.id}`, { headers: { "If-None-Match": original } });
        assert.equal(unchanged.status, 304, `expected 304, got ${unchanged.status}: ${JSON.stringify(unchanged.body)?.slice(0, 200)}`);
        assert.equal(unchanged.body, undefined);
        // RFC 7232 §4.1: a 304 carries the ETag a 200 would have had.
        assert.equal(unchanged.headers.get("etag"), original);

        await patchUser(user.id, legacyOp.replace("displayName", "Changed"));
        const changed = await entra.get(`/Users/${user.id}`, { headers: { "If-None-Match": original } });
        assert.equal(assertUserResponse(changed, 200).displayName, "Changed");
      });
    });

    describe("search with POST (RFC 7644 §3.4.3)", () => {
      test("POST /Users/.search with a SearchRequest: filter, startIndex, count and attributes", async () => {
        const user = await createUser();
        const response = await entra.post("/Users/.search", {
          schemas: [searchRequestUrn],
          filter: `userName eq "${user.userName}"`,
          startIndex: 1,
          count: 10,
          attributes: ["userName", "emails"],
        });
        const body = assertListResponse(response);
        assert.equal(body.totalResults, 1);
        assert.equal(body.startIndex, 1);
        const [found] = body.Resources;
        assert.equal(found.id, user.id, "id is always returned");
        assert.equal(found.userName, user.userName);
        assert.deepEqual(found.emails, user.emails);
        assert.equal(found.name, undefined, "attributes limits what comes back");
        assert.equal(found.active, undefined, "attributes limits what comes back");
      });

      test("POST /.search at the root searches every resource type and tells them apart", async () => {
        const user = await createUser();
        const body = assertListResponse(
          await entra.post("/.search", { schemas: [searchRequestUrn], filter: `userName eq "${user.userName}"`, startIndex: 1, count: 10 }),
        );
        assert.equal(body.totalResults, 1);
        const [found] = body.Resources;
        assert.equal(found.id, user.id);
        assert.ok(found.schemas.includes(userSchemaUrn));
        assert.equal(found.meta.resourceType, "User");
      });
    });

    test("hard delete: 204 without a body, then 404 by id, no match by filter, and 404 for a second delete", async () => {
      const user = await createUser();
      const deleted = await entra.delete(`/Users/${user.id}`);
      assert.equal(deleted.status, 204);
      assert.equal(deleted.body, undefined);
      assertScimError(await entra.get(`/Users/${user.id}`), 404);
      assert.equal(assertUserList(await entra.get(usersWhere(`userName eq "${user.userName}"`))).totalResults, 0);
      assertScimError(await entra.delete(`/Users/${user.id}`), 404);
      assertScimError(await entra.patch(`/Users/${user.id}`, patchRequest(legacyOp.replace("active", "False"))), 404);
    });

    test("paging as the validator walks it: GET /Users?startIndex=N&count=5 over at least 11 users", async () => {
      for (let i = 0; i < 11; i++) await createUser();
      const seen = new Set<string>();
      let total = Number.POSITIVE_INFINITY;
      let pages = 0;
      for (let startIndex = 1; startIndex <= total; startIndex += 5, pages += 1) {
        const page = assertUserList(await entra.get(`/Users?startIndex=${startIndex}&count=5`));
        if (pages === 0) total = page.totalResults;
        assert.equal(page.startIndex, startIndex, "the response's startIndex is the one asked for");
        assert.equal(page.totalResults, total);
        assert.equal(page.itemsPerPage, Math.min(5, total - startIndex + 1));
        for (const user of page.Resources) {
          assert.ok(!seen.has(user.id), `${user.id} appears on two pages`);
          seen.add(user.id);
        }
      }
      assert.ok(total >= 11);
      assert.ok(pages >= 3, `${pages} pages`);
      assert.equal(seen.size, total);
    });

    describe("projection (RFC 7644 §3.4.2.5)", () => {
      test("attributes= and excludedAttributes= on GET /Users/{id}: id always, password never", async () => {
        const user = await createUser({ more: { password: "Secret-1234", title: "Engineer" } });
        const get = async (query: string) => {
          const response = await entra.get(`/Users/${user.id}?${query}`);
          assert.equal(response.status, 200, query);
          assertScimContentType(response);
          assert.equal(response.body.id, user.id, `${query}: id is returned always (RFC 7643 §2.2)`);
          assert.equal(response.body.password, undefined, `${query}: password is returned never`);
          return response.body;
        };

        const userNameOnly = await get("attributes=userName");
        assert.equal(userNameOnly.userName, user.userName);
        for (const attribute of ["name", "emails", "title", "active", enterpriseUserUrn])
          assert.equal(userNameOnly[attribute], undefined, attribute);

        const parts = await get(`attributes=name.givenName,${enterprisePath("employeeNumber")}`);
        assert.deepEqual(parts.name, { givenName: user.name.givenName });
        assert.deepEqual(parts[enterpriseUserUrn], { employeeNumber: user[enterpriseUserUrn].employeeNumber });
        assert.equal(parts.userName, undefined);

        const excluded = await get(`excludedAttributes=emails,name,${enterpriseUserUrn}`);
        assert.equal(excluded.userName, user.userName);
        assert.equal(excluded.title, "Engineer");
        for (const attribute of ["name", "emails", enterpriseUserUrn]) assert.equal(excluded[attribute], undefined, attribute);

        await get("excludedAttributes=id");
        await get("attributes=password");
      });

      test("attributes= and excludedAttributes= on GET /Users apply to every resource", async () => {
        const user = await createUser();
        const only = assertListResponse(await entra.get(usersWhere(`userName eq "${user.userName}"`, "&attributes=userName,active")));
        assert.equal(only.totalResults, 1);
        const [projected] = only.Resources;
        assert.deepEqual(
          Object.keys(projected)
            .filter((key) => key !== "schemas")
            .sort(),
          ["active", "id", "userName"],
          "only the asked attributes and id",
        );
        const without = assertListResponse(
          await entra.get(usersWhere(`userName eq "${user.userName}"`, "&excludedAttributes=emails,externalId")),
        );
        const [trimmed] = without.Resources;
        assert.equal(trimmed.id, user.id);
        assert.equal(trimmed.emails, undefined);
        assert.equal(trimmed.externalId, undefined);
        assert.deepEqual(trimmed.name, user.name);
      });
    });

    test("schema discovery: GET /Schemas lists every attribute Entra maps, as the validator flattens them", async () => {
      const body = assertListResponse(await entra.get("/Schemas"));
      const schemaOf = (id: string) => {
        const schema = body.Resources.find((resource: ScimJson) => resource.id === id);
        assert.ok(schema, `/Schemas lists ${id}`);
        assert.deepEqual(schema.schemas, ["urn:ietf:params:scim:schemas:core:2.0:Schema"]);
        return schema;
      };
      /** `emails.value`, `name.givenName`...: the names the validator compares, case-insensitively. */
      const flatten = (schema: ScimJson): Set<string> =>
        new Set(
          schema.attributes.flatMap((attribute: ScimJson) => [
            attribute.name.toLowerCase(),
            ...(attribute.subAttributes ?? []).map((sub: ScimJson) => `${attribute.name}.${sub.name}`.toLowerCase()),
          ]),
        );
      const userAttributes = flatten(schemaOf(userSchemaUrn));
      for (const name of [
        "userName",
        "displayName",
        "nickName",
        "title",
        "preferredLanguage",
        "active",
        "name.givenName",
        "name.familyName",
        "name.formatted",
        "emails.value",
        "emails.type",
        "emails.primary",
        "phoneNumbers.value",
        "phoneNumbers.type",
        "addresses.postalCode",
        "addresses.streetAddress",
        "addresses.formatted",
        "addresses.type",
      ]) {
        assert.ok(userAttributes.has(name.toLowerCase()), `the User schema describes ${name}`);
      }
      const enterpriseAttributes = flatten(schemaOf(enterpriseUserUrn));
      for (const name of ["employeeNumber", "department", "manager", "manager.value"]) {
        assert.ok(enterpriseAttributes.has(name.toLowerCase()), `the enterprise extension describes ${name}`);
      }
      // MS-USE: characteristics are camel-cased values such as "readWrite".
      const userName = schemaOf(userSchemaUrn).attributes.find((attribute: ScimJson) => attribute.name === "userName");
      assert.equal(userName.mutability, "readWrite");
      assert.equal(userName.uniqueness, "server");
      assert.equal(userName.required, true);
    });
  });
