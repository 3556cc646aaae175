// What an admin runs to check the groups an IdP pushed: listed, filtered, and one group with its members.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { storeKindsUnderTest } from "@scimgw/test-stores";
import { groupSchemaUrn } from "./support/group-checks.js";
import { Product } from "./support/product.js";
import { randomUserName, scimClient, userSchemaUrn } from "./support/scim-client.js";

interface GroupJson {
  id: string;
  displayName: string;
  externalId: string | null;
  created: string;
  lastModified: string;
  version: number;
}

for (const store of await storeKindsUnderTest())
  describe(`admin CLI groups on ${store}`, () => {
    let product: Product;
    let memberIds: string[] = [];
    let engineeringId = "";
    before(async () => {
      product = await Product.start({ store });
      const scim = scimClient(product.baseUrl, product.apiKey);
      memberIds = [];
      for (let n = 0; n < 3; n++)
        memberIds.push((await scim.post("/Users", { schemas: [userSchemaUrn], userName: randomUserName(`member${n}`) })).body.id);
      engineeringId = (
        await scim.post("/Groups", {
          schemas: [groupSchemaUrn],
          displayName: "Engineering",
          externalId: "okta-eng",
          members: memberIds.map((value) => ({ value })),
        })
      ).body.id;
      await scim.post("/Groups", { schemas: [groupSchemaUrn], displayName: "Sales" });
      await scim.post("/Groups", { schemas: [groupSchemaUrn], displayName: "Support" });
    });
    after(() => product.stop());

    test("groups list prints every group as a table and as JSON, with --filter and --limit", async () => {
      const table = await product.admin(["groups", "list", "default"]);
      assert.match(table, /Engineering.*okta-eng/);
      assert.match(table, /3 group\(s\) in tenant "default"/);

      const listed = JSON.parse(await product.admin(["groups", "list", "default", "--json"])) as GroupJson[];
      assert.deepEqual(
        listed.map((group) => group.displayName),
        ["Engineering", "Sales", "Support"],
      );
      const engineering = listed[0]!;
      assert.deepEqual(Object.keys(engineering).sort(), ["created", "displayName", "externalId", "id", "lastModified", "version"]);
      assert.equal(engineering.id, engineeringId);
      assert.equal(engineering.externalId, "okta-eng");
      assert.match(engineering.created, /^\d{4}-\d\d-\d\dT.*Z$/);

      const filtered = JSON.parse(
        await product.admin(["groups", "list", "default", "--filter", 'displayName sw "s"', "--json"]),
      ) as GroupJson[];
      assert.deepEqual(
        filtered.map((group) => group.displayName),
        ["Sales", "Support"],
      );
      const limited = await product.admin(["groups", "list", "default", "--limit", "2"]);
      assert.match(limited, /2 of 3 group\(s\)/);
      assert.doesNotMatch(limited, /Support/);
    });

    test("groups show finds a group by id or displayName and shows its member count and first members", async () => {
      const byName = JSON.parse(await product.admin(["groups", "show", "default", "engineering", "--json"])) as GroupJson & {
        memberCount: number;
        members: Array<{ value: string; type: string; display: string | null }>;
      };
      assert.equal(byName.id, engineeringId);
      assert.equal(byName.memberCount, 3);
      assert.deepEqual(
        byName.members.map((member) => member.value),
        [...memberIds].sort(),
      );
      assert.ok(byName.members.every((member) => member.type === "User" && member.display?.startsWith("member")));

      const limited = JSON.parse(await product.admin(["groups", "show", "default", engineeringId, "--members-limit", "1", "--json"])) as {
        memberCount: number;
        members: unknown[];
      };
      assert.equal(limited.memberCount, 3);
      assert.equal(limited.members.length, 1);

      const table = await product.admin(["groups", "show", "default", engineeringId, "--members-limit", "2"]);
      assert.match(table, /members\s*│\s*3/);
      assert.match(table, /2 of 3 members shown/);
    });

    test("groups refuses an unknown group, a bad filter or a bad limit with one line and exit 2", async () => {
      assert.deepEqual(await product.adminFailure(["groups", "show", "default", "Marketing"]), {
        code: 2,
        stderr: 'scimgw-admin: group "Marketing" not found\n',
      });
      const badFilter = await product.adminFailure(["groups", "list", "default", "--filter", "displayName zz 1"]);
      assert.equal(badFilter.code, 2);
      assert.match(badFilter.stderr, /^scimgw-admin: .+\n$/);
      const badLimit = await product.adminFailure(["groups", "list", "default", "--limit", "0"]);
      assert.equal(badLimit.code, 2);
      assert.match(badLimit.stderr, /--limit <n>' argument '0' is invalid\. must be a whole number from 1 to 1000000/);
    });
  });
