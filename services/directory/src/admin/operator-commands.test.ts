// `scimgw-admin operators` as an admin runs it (the real CLI, a password piped to stdin), on every store.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createOperatorSessions } from "../operators/operator-sessions.js";
import { runAdmin } from "../test-support/run-admin.js";
import { storesUnderTest } from "../test-support/stores-under-test.js";

for (const store of storesUnderTest)
  test(`${store.name}: operators add, list, password and remove; passwords piped or generated and shown once`, async () => {
    const database = await store.open();
    const sessions = createOperatorSessions(database.db, { sessionHours: 12 });
    const signIn = (email: string, password: string) => sessions.start(email, password, "127.0.0.1");
    try {
      const piped = await runAdmin(database, ["operators", "add", "Ops@Example.com", "--password-stdin"], "piped pass phrase\n");
      assert.equal(piped.code, 0, piped.stderr);
      assert.match(piped.stdout, /Added operator ops@example\.com .*with the password given/);
      assert.doesNotMatch(piped.stdout, /piped pass phrase/);
      const session = await signIn("ops@example.com", "piped pass phrase");

      const generated = await runAdmin(database, ["operators", "add", "second@example.com", "--json"]);
      assert.equal(generated.code, 0, generated.stderr);
      const { password } = JSON.parse(generated.stdout) as { password: string };
      assert.match(password, /^[A-Za-z0-9_-]{24}$/);
      await signIn("second@example.com", password);

      const taken = await runAdmin(database, ["operators", "add", "OPS@example.com"]);
      assert.equal(taken.code, 2);
      assert.match(taken.stderr, /already exists/);
      const short = await runAdmin(database, ["operators", "add", "third@example.com", "--password-stdin"], "short\n");
      assert.equal(short.code, 2);
      assert.match(short.stderr, /at least 12 characters/);

      const listed = JSON.parse((await runAdmin(database, ["operators", "list", "--json"])).stdout) as Array<{ email: string }>;
      assert.deepEqual(
        listed.map((operator) => operator.email),
        ["ops@example.com", "second@example.com"],
      );
      assert.doesNotMatch(JSON.stringify(listed), /scrypt/);

      const changed = await runAdmin(database, ["operators", "password", "ops@example.com", "--password-stdin"], "another pass phrase\n");
      assert.equal(changed.code, 0, changed.stderr);
      assert.match(changed.stdout, /1 console session\(s\) ended/);
      assert.equal(await sessions.get(session.token), undefined, "the session ended with the old password");
      await assert.rejects(signIn("ops@example.com", "piped pass phrase"), /unknown email or wrong password/);
      const again = await signIn("ops@example.com", "another pass phrase");

      const removed = await runAdmin(database, ["operators", "remove", "ops@example.com"]);
      assert.equal(removed.code, 0, removed.stderr);
      assert.equal(await sessions.get(again.token), undefined, "removing the operator ended the session");
      const missing = await runAdmin(database, ["operators", "remove", "ops@example.com"]);
      assert.equal(missing.code, 2);
      assert.match(missing.stderr, /not found/);
    } finally {
      await database.dispose();
    }
  });
