// OperatorService through the real gRPC server, on every store: sign-in, sessions that end at once
// (signing out, expiry, removal, a new password), the sign-in limits shared through the store, and
// the admin scope.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { timestampDate } from "@bufbuild/protobuf/wkt";
import type { Knex } from "knex";
import { ErrorReason, OperatorService } from "@scimgw/proto";
import { Code, createClient, type RpcError, type Transport } from "@scimgw/grpc";
import { storesUnderTest } from "../test-support/stores-under-test.js";
import { refusedWith, serveDirectory, type ServedDirectory } from "../test-support/serve-directory.js";
import { createTenantStore } from "../tenants/tenant-store.js";
import { createOperatorStore } from "./operator-store.js";

const password = "correct horse battery";
const minute = 60_000;

for (const storeUnderTest of storesUnderTest) {
  describe(`OperatorService on ${storeUnderTest.name}`, () => {
    let db: Knex;
    let dispose: () => Promise<void>;
    let directory: ServedDirectory;
    const clientOf = (transport: Transport) => createClient(OperatorService, transport);
    let operators: ReturnType<typeof clientOf>;
    /** The directory's clock: tests move it forward. */
    let clock = Date.now();

    before(async () => {
      ({ db, dispose } = await storeUnderTest.open());
      directory = await serveDirectory(db, { operatorSessionHours: 2, operatorSessions: { now: () => clock } });
      operators = clientOf(await directory.connect("admin"));
    });
    after(async () => {
      directory.close();
      await dispose();
    });

    const signIn = (email: string, typed = password, clientAddress = "192.0.2.1") =>
      operators.startOperatorSession({ email, password: typed, clientAddress });

    test("a sign-in starts a session kept as a hash, with its CSRF token and OPERATOR_SESSION_HOURS' lifetime", async () => {
      const operator = await createOperatorStore(db).add("Alice@Example.com", password);
      assert.equal(operator.email, "alice@example.com");
      const started = await signIn("  ALICE@example.COM ");
      assert.match(started.sessionToken, /^scimgw_session_[A-Za-z0-9_-]{43}$/);
      assert.equal(started.session?.operator?.email, "alice@example.com");
      assert.equal(started.session?.operator?.id, operator.id);
      assert.ok(started.session?.expiresAt);
      assert.equal(timestampDate(started.session.expiresAt).getTime(), new Date(clock + 2 * 60 * minute).getTime());
      assert.match(started.session?.csrfToken ?? "", /^[A-Za-z0-9_-]{43}$/);
      const stored = await db("operator_sessions").where({ operator_id: operator.id }).first();
      assert.equal(stored.token_sha256, createHash("sha256").update(started.sessionToken).digest("hex"));
      assert.doesNotMatch(JSON.stringify(await db("operator_sessions")), new RegExp(started.sessionToken));

      await assert.rejects(
        operators.startOperatorSession({ email: "alice@example.com", password, clientAddress: " " }),
        refusedWith(Code.INVALID_ARGUMENT, "INVALID_ARGUMENT"),
      );
      const read = await operators.getOperatorSession({ sessionToken: started.sessionToken });
      assert.deepEqual(read.session, started.session);
      assert.doesNotMatch(JSON.stringify(await db("operators")), /correct horse/, "the password is stored hashed");
    });

    test("an unknown email and a wrong password are refused alike, in about the same time", async () => {
      await createOperatorStore(db).add("bob@example.com", password);
      const refusals: RpcError[] = [];
      const took = { unknown: [] as number[], wrong: [] as number[] };
      for (const [kind, email, typed] of [
        ["unknown", "nobody@example.com", password],
        ["wrong", "bob@example.com", "wrong password!"],
        ["unknown", "nobody2@example.com", password],
        ["wrong", "bob@example.com", "wrong password?"],
      ] as const) {
        const started = performance.now();
        await assert.rejects(signIn(email, typed, `198.51.100.${took[kind].length}`), (error: unknown) => {
          refusals.push(error as RpcError);
          return refusedWith(Code.UNAUTHENTICATED, "INVALID_OPERATOR_CREDENTIALS")(error);
        });
        took[kind].push(performance.now() - started);
      }
      assert.equal(new Set(refusals.map((error) => error.message)).size, 1, "one message for both");
      // Without the decoy hash an unknown email is answered in a few milliseconds, a known one after an scrypt derivation.
      const fastest = (times: number[]) => Math.min(...times);
      assert.ok(fastest(took.unknown) > 0.4 * fastest(took.wrong), JSON.stringify(took));
    });

    test("signing out ends a session at once, and twice is fine; so do expiry, removal and a new password", async () => {
      const store = createOperatorStore(db);
      await store.add("carol@example.com", password);
      const ended = async (sessionToken: string) =>
        assert.rejects(operators.getOperatorSession({ sessionToken }), refusedWith(Code.UNAUTHENTICATED, "OPERATOR_SESSION_ENDED"));

      const first = (await signIn("carol@example.com")).sessionToken;
      await operators.endOperatorSession({ sessionToken: first });
      await ended(first);
      await operators.endOperatorSession({ sessionToken: first });
      await operators.endOperatorSession({ sessionToken: "scimgw_session_unknown" });
      await ended("scimgw_session_unknown");
      await ended("");

      // Expiry by the clock, and by a row whose expiry passed.
      const second = (await signIn("carol@example.com")).sessionToken;
      clock += 2 * 60 * minute - 1;
      assert.ok((await operators.getOperatorSession({ sessionToken: second })).session);
      clock += 1;
      await ended(second);
      const third = (await signIn("carol@example.com")).sessionToken;
      await db("operator_sessions")
        .where({ token_sha256: createHash("sha256").update(third).digest("hex") })
        .update({ expires_at: "2000-01-01T00:00:00.000Z" });
      await ended(third);
      const sessionsOf = async () =>
        (
          await db("operator_sessions")
            .join("operators", "operators.id", "operator_sessions.operator_id")
            .where("operators.email", "carol@example.com")
        ).length;
      assert.equal(await sessionsOf(), 1, "the first two, expired by the clock, were deleted as the third started");

      // A new password ends every session; the old password stops working.
      const fourth = (await signIn("carol@example.com")).sessionToken;
      assert.equal(await sessionsOf(), 1, "and the third, expired, as the fourth started");
      const fifth = (await signIn("carol@example.com")).sessionToken;
      // (At least these two: the store's clock is the real one, to which the expired sessions above are still live.)
      assert.ok((await store.setPassword("carol@example.com", "a brand new password")).endedSessions >= 2);
      await ended(fourth);
      await ended(fifth);
      await assert.rejects(signIn("carol@example.com"), refusedWith(Code.UNAUTHENTICATED, "INVALID_OPERATOR_CREDENTIALS"));

      // Removing the operator ends its sessions too.
      const sixth = (await signIn("carol@example.com", "a brand new password")).sessionToken;
      await store.remove("CAROL@example.com");
      await ended(sixth);
      await assert.rejects(
        signIn("carol@example.com", "a brand new password"),
        refusedWith(Code.UNAUTHENTICATED, "INVALID_OPERATOR_CREDENTIALS"),
      );
    });

    test("after 5 failures of an account in 15 minutes even the right password is refused, with retry_after_seconds", async () => {
      await createOperatorStore(db).add("dave@example.com", password);
      const start = clock;
      for (let i = 0; i < 5; i++) {
        clock = start + i * 1000;
        // From different addresses: the account's count alone decides.
        await assert.rejects(
          signIn("dave@example.com", "not the password", `203.0.113.${i}`),
          refusedWith(Code.UNAUTHENTICATED, "INVALID_OPERATOR_CREDENTIALS"),
        );
      }
      clock = start + 10_000;
      await assert.rejects(
        signIn("dave@example.com", password, "203.0.113.99"),
        refusedWith(Code.RESOURCE_EXHAUSTED, "RATE_LIMITED", { retry_after_seconds: "890" }),
      );
      // The first failure leaves the window 15 minutes after it was made: four remain.
      clock = start + 15 * minute;
      assert.ok((await signIn("dave@example.com", password, "203.0.113.99")).sessionToken);
    });

    test("attempts at once are counted as they come: of 10 with a wrong password, 5 are checked and 5 refused", async () => {
      await createOperatorStore(db).add("judy@example.com", password);
      clock += 60 * minute;
      const outcomes = await Promise.allSettled(
        Array.from({ length: 10 }, (_, i) => signIn("judy@example.com", "not the password", `192.0.2.${100 + i}`)),
      );
      const reasons = outcomes.map((outcome) =>
        outcome.status === "rejected" ? ErrorReason[(outcome.reason as RpcError).reason] : "signed in",
      );
      assert.deepEqual(
        [
          reasons.filter((reason) => reason === "INVALID_OPERATOR_CREDENTIALS").length,
          reasons.filter((reason) => reason === "RATE_LIMITED").length,
        ],
        [5, 5],
        reasons.join(", "),
      );
    });

    test("a success starts the account's count again; the address's count it leaves", async () => {
      await createOperatorStore(db).add("erin@example.com", password);
      await createOperatorStore(db).add("frank@example.com", password);
      clock += 60 * minute;
      const address = "192.0.2.200";
      for (let i = 0; i < 4; i++)
        await assert.rejects(
          signIn("erin@example.com", "not the password", address),
          refusedWith(Code.UNAUTHENTICATED, "INVALID_OPERATOR_CREDENTIALS"),
        );
      clock += 1000;
      await signIn("erin@example.com", password, address);
      clock += 1000;
      await assert.rejects(
        signIn("erin@example.com", "not the password", address),
        refusedWith(Code.UNAUTHENTICATED, "INVALID_OPERATOR_CREDENTIALS"),
      );
      clock += 1000;
      assert.ok((await signIn("erin@example.com", password, address)).sessionToken, "1 failure since the last sign-in, not 5");

      // 5 failures from this address so far; 15 more (other accounts, as a sweep would) make 20.
      await db("operator_sign_in_failures").insert(
        Array.from({ length: 15 }, (_, i) => ({
          id: `00000000-0000-4000-8000-${String(i).padStart(12, "0")}`,
          email: `sweep${i}@example.com`,
          client_address: address,
          failed_at: new Date(clock - 1000).toISOString(),
        })),
      );
      await assert.rejects(signIn("frank@example.com", password, address), refusedWith(Code.RESOURCE_EXHAUSTED, "RATE_LIMITED"));
      assert.ok((await signIn("frank@example.com", password, "192.0.2.201")).sessionToken, "another address is not limited");
      // Every replica shares the count: a second directory on the same store refuses too.
      const other = await serveDirectory(db, { operatorSessions: { now: () => clock } });
      try {
        const otherOperators = createClient(OperatorService, await other.connect("admin"));
        await assert.rejects(
          otherOperators.startOperatorSession({ email: "frank@example.com", password, clientAddress: address }),
          refusedWith(Code.RESOURCE_EXHAUSTED, "RATE_LIMITED"),
        );
      } finally {
        other.close();
      }
    });

    test("every RPC needs the admin scope and an all-tenants credential", async () => {
      const tenant = await createTenantStore(db).create("operators-scope");
      for (const transport of [await directory.connect("read-write")]) {
        const client = createClient(OperatorService, transport);
        await assert.rejects(
          client.startOperatorSession({ email: "a@b.c", password }),
          refusedWith(Code.PERMISSION_DENIED, "INSUFFICIENT_SCOPE"),
        );
        await assert.rejects(client.getOperatorSession({ sessionToken: "x" }), refusedWith(Code.PERMISSION_DENIED, "INSUFFICIENT_SCOPE"));
        await assert.rejects(client.endOperatorSession({ sessionToken: "x" }), refusedWith(Code.PERMISSION_DENIED, "INSUFFICIENT_SCOPE"));
      }
      const limited = createClient(OperatorService, await directory.connect("admin", [tenant.id]));
      await assert.rejects(limited.getOperatorSession({ sessionToken: "x" }), refusedWith(Code.PERMISSION_DENIED, "TENANT_NOT_GRANTED"));
    });

    test("operators: emails unique in any case, passwords of at least 12 characters, unknown ones NOT_FOUND", async () => {
      const store = createOperatorStore(db);
      await store.add("grace@example.com", password);
      await assert.rejects(
        store.add("GRACE@example.com", password),
        refusedWith(Code.ALREADY_EXISTS, "UNIQUENESS", { attribute: "email" }),
      );
      await assert.rejects(store.add("heidi@example.com", "short"), refusedWith(Code.INVALID_ARGUMENT, "INVALID_VALUE"));
      for (const email of ["not an email", "two@@example.com", "zoë@example.com", ""])
        await assert.rejects(store.add(email, password), refusedWith(Code.INVALID_ARGUMENT, "INVALID_VALUE"));
      await assert.rejects(store.remove("nobody@example.com"), refusedWith(Code.NOT_FOUND, "NOT_FOUND"));
      await assert.rejects(store.setPassword("nobody@example.com", password), refusedWith(Code.NOT_FOUND, "NOT_FOUND"));
      const emails = (await store.list()).map((operator) => operator.email);
      assert.deepEqual(emails, [...emails].sort());
      assert.ok(emails.includes("grace@example.com"));
    });
  });
}
