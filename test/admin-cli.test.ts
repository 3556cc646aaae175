// The admin's side of the setup: issue and revoke keys, and check what the IdP pushed.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { storeKindsUnderTest } from "@scimgw/test-stores";
import { Product } from "./support/product.js";
import { patchOpUrn, randomUserName, scimClient, userSchemaUrn } from "./support/scim-client.js";

for (const store of await storeKindsUnderTest())
  describe(`admin CLI on ${store}`, () => {
    let product: Product;
    before(async () => {
      // No key cache, so a revocation shows at once (the default cache period is documented).
      product = await Product.start({
        store,
        gatewayEnv: { API_KEY_CACHE_SECONDS: "0" },
        directoryEnv: { SERVICE_CREDENTIAL_CACHE_SECONDS: "0" },
      });
    });
    after(() => product.stop());

    test("users list shows what was pushed, with status, as a table and as JSON", async () => {
      const scim = scimClient(product.baseUrl, product.apiKey);
      const active = randomUserName("listed");
      const inactive = randomUserName("deactivated");
      await scim.post("/Users", {
        schemas: [userSchemaUrn],
        userName: active,
        name: { givenName: "Alan", familyName: "Turing" },
        emails: [{ value: active, primary: true }],
      });
      const second = await scim.post("/Users", { schemas: [userSchemaUrn], userName: inactive });
      await scim.patch(`/Users/${second.body.id}`, { schemas: [patchOpUrn], Operations: [{ op: "replace", value: { active: false } }] });

      const users = JSON.parse(await product.admin(["users", "list", "default", "--json"])) as Array<{
        userName: string;
        active: boolean;
        email: string | null;
      }>;
      assert.deepEqual(
        users.find((user) => user.userName === active),
        {
          ...users.find((user) => user.userName === active),
          active: true,
          givenName: "Alan",
          familyName: "Turing",
          email: active,
        },
      );
      assert.equal(users.find((user) => user.userName === inactive)?.active, false);

      const table = await product.admin(["users", "list", "default"]);
      assert.match(table, new RegExp(`${active.replace(/\./g, "\\.")}.*active`));
      assert.match(table, new RegExp(`${inactive.replace(/\./g, "\\.")}.*deactivated`));
      assert.match(table, /2 user\(s\) in tenant "default"/);

      const filtered = JSON.parse(
        await product.admin(["users", "list", "default", "--json", "--filter", `userName eq "${active.toUpperCase()}"`]),
      );
      assert.equal(filtered.length, 1);
    });

    test("a new key works at once, a revoked key stops working, and keys are listed without secrets", async () => {
      const issued = JSON.parse(await product.admin(["keys", "issue", "default", "--label", "okta", "--json"])) as {
        key: string;
        keyId: string;
      };
      const scim = scimClient(product.baseUrl, issued.key);
      assert.equal((await scim.get("/Users?count=0")).status, 200);

      const listing = await product.admin(["keys", "list", "default"]);
      assert.match(listing, new RegExp(issued.keyId));
      assert.doesNotMatch(listing, new RegExp(issued.key));

      await product.admin(["keys", "revoke", "default", issued.keyId]);
      assert.equal((await scim.get("/Users?count=0")).status, 401);
      // The bootstrap key is untouched.
      assert.equal((await scimClient(product.baseUrl, product.apiKey).get("/Users?count=0")).status, 200);
    });

    test("service credentials: listed without secrets; revoking the gateway's makes SCIM fail closed until bootstrap issues a new one", async () => {
      const issued = JSON.parse(
        await product.admin(["credentials", "issue", "billing", "--scope", "read-only", "--tenant", "default", "--json"]),
      ) as {
        credential: string;
        id: string;
        scope: string;
      };
      assert.match(issued.credential, /^scimgw_svc_/);
      assert.equal(issued.scope, "read-only");
      const listing = await product.admin(["credentials", "list"]);
      assert.match(listing, /billing.*read-only.*live/);
      assert.match(listing, /gateway \(pnpm start\).*read-write.*live/);
      assert.doesNotMatch(listing, new RegExp(issued.credential));
      const consoleCredential = JSON.parse(
        await product.admin(["credentials", "issue", "console", "--scope", "admin", "--all-tenants", "--json"]),
      ) as {
        scope: string;
      };
      assert.equal(consoleCredential.scope, "admin");
      await assert.rejects(
        product.admin(["credentials", "issue", "x", "--scope", "root", "--all-tenants"]),
        /--scope.*Allowed choices are read-only, read-write, admin/s,
      );

      const gateway = (JSON.parse(await product.admin(["credentials", "list", "--json"])) as Array<{ id: string; name: string }>).find(
        (c) => c.name.startsWith("gateway"),
      )!;
      const scim = scimClient(product.baseUrl, product.apiKey);
      assert.equal((await scim.get("/Users?count=0")).status, 200);
      await product.admin(["credentials", "revoke", gateway.id]);
      const refused = await scim.get("/Users?count=0");
      assert.equal(refused.status, 500, "the IdP's key is fine; the gateway's own credential is not: a server error, not a 401");
      assert.doesNotMatch(JSON.stringify(refused.body), /credential/i, "nothing about internal credentials reaches the SCIM client");

      // What an operator does: bootstrap replaces the revoked credential in the file; restart the gateway.
      assert.equal(
        (
          JSON.parse(await product.admin(["bootstrap", "--gateway-credential-file", product.gatewayCredentialFile])) as {
            gatewayCredential: string;
          }
        ).gatewayCredential,
        "issued",
      );
      await product.restart(); // on new ports
      assert.equal((await scimClient(product.baseUrl, product.apiKey).get("/Users?count=0")).status, 200);
      assert.equal(
        (
          JSON.parse(await product.admin(["bootstrap", "--gateway-credential-file", product.gatewayCredentialFile])) as {
            gatewayCredential: string;
          }
        ).gatewayCredential,
        "kept",
      );
      assert.match(
        await product.admin(["credentials", "revoke", gateway.id]).catch((error: Error) => error.message),
        /live service credential .* not found/,
      );
    });

    test("tenants list names every tenant with its user count", async () => {
      await product.createTenant("acme");
      const tenants = JSON.parse(await product.admin(["tenants", "list", "--json"])) as Array<{ name: string; users: number }>;
      assert.deepEqual(tenants.map((tenant) => tenant.name).sort(), ["acme", "default"]);
      assert.equal(tenants.find((tenant) => tenant.name === "acme")?.users, 0);
    });
  });
