import { Code, RpcError } from "@scimgw/grpc";
import { ErrorReason } from "@scimgw/proto";
import type { Knex } from "knex";
import { dialectOf } from "../database/open-database.js";

/**
 * How many failed sign-ins the directory allows within a window: per account (guessing one
 * operator's password) and per client address (trying many accounts from one place). Kept in the
 * store, so every console replica counts the same failures.
 */
export interface SignInLimits {
  perAccount: number;
  perAddress: number;
  windowMs: number;
}

export const defaultSignInLimits: SignInLimits = { perAccount: 5, perAddress: 20, windowMs: 15 * 60 * 1000 };

const failures = (trx: Knex | Knex.Transaction) => trx("operator_sign_in_failures");

/**
 * PostgreSQL advisory lock classes (the two-key form's first key) for sign-ins of one account and
 * from one address: an arbitrary pair beside the migration lock's single key. Always taken in this
 * order, account first, so two sign-ins never wait on each other in a cycle.
 */
const accountLockClass = 740_606;
const addressLockClass = 740_607;

/**
 * When the limit on one subject lifts: the `limit`-th latest failure since `since` leaves the
 * window then (fewer than `limit` remain); undefined while fewer than `limit` are in it.
 */
async function limitedUntil(
  trx: Knex.Transaction,
  column: "email" | "client_address",
  value: string,
  since: string,
  limit: number,
  windowMs: number,
): Promise<number | undefined> {
  const row: { failed_at: string } | undefined = await failures(trx)
    .where(column, value)
    .andWhere("failed_at", ">=", since)
    .orderBy("failed_at", "desc")
    .offset(limit - 1)
    .first("failed_at");
  return row === undefined ? undefined : Date.parse(row.failed_at) + windowMs;
}

/**
 * Refuses a sign-in (RESOURCE_EXHAUSTED, RATE_LIMITED, `retry_after_seconds`) when its account or
 * its client address has had too many failures in the window, whatever the password. An account's
 * count starts again after its last successful sign-in (the latest session it started); an
 * address's does not: a success from an address says nothing about the other accounts tried from it.
 */
export async function refuseIfLimited(
  trx: Knex.Transaction,
  attempt: { email: string; clientAddress: string; now: number },
  limits: SignInLimits,
): Promise<void> {
  // On PostgreSQL two attempts' transactions would each count the failures before either recorded
  // its own, and both pass the limit; each waits here for the other's commit instead, and then
  // counts it (READ COMMITTED reads afresh at every statement). SQLite commits one writer at a time.
  if (dialectOf(trx) === "postgres") {
    await trx.raw("select pg_advisory_xact_lock(?, hashtext(?))", [accountLockClass, attempt.email]);
    await trx.raw("select pg_advisory_xact_lock(?, hashtext(?))", [addressLockClass, attempt.clientAddress]);
  }
  const windowStart = new Date(attempt.now - limits.windowMs).toISOString();
  const lastSignIn: { at?: string | null } | undefined = await trx("operator_sessions as s")
    .join("operators as o", "o.id", "s.operator_id")
    .where("o.email", attempt.email)
    .max({ at: "s.created_at" })
    .first();
  const accountSince = lastSignIn?.at != null && lastSignIn.at > windowStart ? lastSignIn.at : windowStart;
  const until = Math.max(
    (await limitedUntil(trx, "email", attempt.email, accountSince, limits.perAccount, limits.windowMs)) ?? 0,
    (await limitedUntil(trx, "client_address", attempt.clientAddress, windowStart, limits.perAddress, limits.windowMs)) ?? 0,
  );
  if (until > attempt.now) {
    const retryAfterSeconds = Math.max(1, Math.ceil((until - attempt.now) / 1000));
    throw new RpcError(Code.RESOURCE_EXHAUSTED, `too many failed sign-ins; try again in ${retryAfterSeconds} s`, {
      reason: ErrorReason.RATE_LIMITED,
      metadata: { retry_after_seconds: String(retryAfterSeconds) },
    });
  }
}

/** Records an attempt as failed until it proves otherwise, and deletes failures older than every window. */
export async function recordAttempt(
  trx: Knex.Transaction,
  attempt: { id: string; email: string; clientAddress: string; now: number },
  limits: SignInLimits,
): Promise<void> {
  await failures(trx).insert({
    id: attempt.id,
    email: attempt.email,
    client_address: attempt.clientAddress,
    failed_at: new Date(attempt.now).toISOString(),
  });
  await failures(trx)
    .where("failed_at", "<", new Date(attempt.now - limits.windowMs).toISOString())
    .delete();
}

/** A successful attempt was no failure. */
export async function forgetAttempt(trx: Knex.Transaction, id: string): Promise<void> {
  await failures(trx).where({ id }).delete();
}
