// Okta's "SCIM 2.0 SPEC Test" (the Runscope suite Okta requires for OIN submission), step by
// step: the same requests, headers and assertions, in our own code (shared/IDP-NOTES.md §1.1).
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { storeKindsUnderTest } from "@scimgw/test-stores";
import { Product } from "./support/product.js";
import {
  errorUrn,
  listResponseUrn,
  randomUserName,
  scimClient,
  userSchemaUrn,
  type ScimClient,
  type ScimJson,
} from "./support/scim-client.js";
import { knownFailure } from "./support/known-failures.js";
import { oktaHeaders } from "./support/okta-headers.js";

const getHeaders = oktaHeaders;
const postHeaders = {
  "Content-Type": "application/json",
  Accept: "application/scim+json; charset=utf-8",
  "User-Agent": "OKTA SCIM Integration",
};

function assertUserShape(user: ScimJson): void {
  for (const value of [user.id, user.name?.familyName, user.name?.givenName, user.userName, user.emails?.[0]?.value]) {
    assert.ok(typeof value === "string" && value.length > 0, `expected a non-empty string, got ${JSON.stringify(value)}`);
  }
  assert.equal(typeof user.active, "boolean");
}

function assertListResponse(body: ScimJson): void {
  assert.ok(body.schemas.includes(listResponseUrn));
  for (const field of ["itemsPerPage", "startIndex", "totalResults"]) assert.equal(typeof body[field], "number", field);
}

for (const store of await storeKindsUnderTest())
  describe(`Okta SCIM 2.0 SPEC Test on ${store}`, () => {
    let product: Product;
    let okta: ScimClient;
    const randomUsername = randomUserName("spec");
    const vars = {
      randomUsername,
      randomUsernameCaps: randomUsername.toUpperCase(),
      randomEmail: randomUsername,
      randomGivenName: "Spec",
      randomFamilyName: `Tester${Date.now()}`,
      InvalidUserEmail: randomUserName("invalid"),
      UserIdThatDoesNotExist: "010101001010101011001010101011",
    };
    let isvUserId = "";
    let idUserOne = "";

    before(async () => {
      product = await Product.start({ store });
      okta = scimClient(product.baseUrl, product.apiKey);
      // Okta: "Create at least one user in your SCIM server before running" the suite.
      const seeded = await okta.post("/Users", {
        schemas: [userSchemaUrn],
        userName: randomUserName("seed"),
        name: { givenName: "Seed", familyName: "User" },
        emails: [{ primary: true, value: "seed@example.com", type: "work" }],
        active: true,
      });
      assert.equal(seeded.status, 201);
    });
    after(() => product.stop());

    test("1. Required Test: Test Users endpoint", async () => {
      const response = await okta.get("/Users?count=1&startIndex=1", { headers: getHeaders });
      assert.equal(response.status, 200);
      assert.ok(response.body.Resources.length > 0);
      assertListResponse(response.body);
      assertUserShape(response.body.Resources[0]);
      isvUserId = response.body.Resources[0].id;
    });

    test("2. Required Test: Get Users/{{id}}", async () => {
      const response = await okta.get(`/Users/${isvUserId}`, { headers: getHeaders });
      assert.equal(response.status, 200);
      assertUserShape(response.body);
      assert.equal(response.body.id, isvUserId);
    });

    test("3. Required Test: Test invalid User by username", async () => {
      const response = await okta.get(`/Users?filter=${encodeURIComponent(`userName eq "${vars.InvalidUserEmail}"`)}`, {
        headers: getHeaders,
      });
      assert.equal(response.status, 200);
      assertListResponse(response.body);
      assert.equal(response.body.totalResults, 0);
    });

    test("4. Required Test: Test invalid User by ID", async () => {
      const response = await okta.get(`/Users/${vars.UserIdThatDoesNotExist}`, { headers: getHeaders });
      assert.equal(response.status, 404);
      assert.ok(response.body.detail);
      assert.ok(response.body.schemas.includes(errorUrn));
    });

    test("5. Required Test: Make sure random user doesn't exist", async () => {
      const response = await okta.get(`/Users?filter=${encodeURIComponent(`userName eq "${vars.randomEmail}"`)}`, { headers: getHeaders });
      assert.equal(response.status, 200);
      assert.equal(response.body.totalResults, 0);
      assertListResponse(response.body);
    });

    const newUser = () => ({
      schemas: [userSchemaUrn],
      userName: vars.randomUsername,
      name: { givenName: vars.randomGivenName, familyName: vars.randomFamilyName },
      emails: [{ primary: true, value: vars.randomEmail, type: "work" }],
      displayName: `${vars.randomGivenName} ${vars.randomFamilyName}`,
      active: true,
    });

    test("6. Required Test: Create Okta user with realistic values", async () => {
      const response = await okta.post("/Users", newUser(), { headers: postHeaders });
      assert.equal(response.status, 201);
      assert.equal(response.body.active, true);
      assert.ok(response.body.id);
      assert.equal(response.body.name.familyName, vars.randomFamilyName);
      assert.equal(response.body.name.givenName, vars.randomGivenName);
      assert.ok(response.body.schemas.includes(userSchemaUrn));
      assert.equal(response.body.userName, vars.randomUsername);
      idUserOne = response.body.id;
    });

    test("7. Required Test: Verify that user was created", async () => {
      const response = await okta.get(`/Users/${idUserOne}`, { headers: getHeaders });
      assert.equal(response.status, 200);
      assert.equal(response.body.userName, vars.randomUsername);
      assert.equal(response.body.name.familyName, vars.randomFamilyName);
      assert.equal(response.body.name.givenName, vars.randomGivenName);
    });

    test("8. Required Test: Expect failure when recreating user with same values", async () => {
      const response = await okta.post("/Users", newUser(), { headers: postHeaders });
      assert.equal(response.status, 409);
    });

    test("9. Required Test: Username Case Sensitivity Check", async () => {
      const response = await okta.get(`/Users?filter=${encodeURIComponent(`userName eq "${vars.randomUsernameCaps}"`)}`, {
        headers: getHeaders,
      });
      assert.equal(response.status, 200);
      // Okta's file asserts only the status; userName is caseExact false, so we also find the user.
      assert.equal(response.body.totalResults, 1);
      assert.equal(response.body.Resources[0].id, idUserOne);
    });

    test("10. Optional Test: Verify Groups endpoint", async () => {
      const started = performance.now();
      const response = await okta.get("/Groups", { headers: getHeaders });
      const elapsed = performance.now() - started;
      await knownFailure("okta-spec-10-groups", () => {
        assert.equal(response.status, 200);
        // Okta asserts a response under 600 ms; a timing check belongs to benchmarks here, so we only
        // record it in the message of a failure.
        if (response.body.totalResults >= 1) assert.ok(Array.isArray(response.body.Resources), `took ${elapsed} ms`);
      });
    });

    test("11. Required Test: Check status 401", async () => {
      const response = await scimClient(product.baseUrl, undefined).get(
        `/Users?filter=${encodeURIComponent(`userName eq "${vars.randomUsername}"`)}`,
        { headers: { ...getHeaders, Authorization: "non-token" } },
      );
      assert.equal(response.status, 401);
      assert.ok(response.body.detail);
      assert.equal(response.body.status, "401");
      assert.ok(response.body.schemas.includes(errorUrn));
    });

    test("12. Required Test: Check status 404", async () => {
      const response = await okta.get("/Users/00919288221112222", { headers: getHeaders });
      assert.equal(response.status, 404);
      assert.ok(response.body.detail);
      assert.equal(response.body.status, "404");
      assert.ok(response.body.schemas.includes(errorUrn));
    });
  });
