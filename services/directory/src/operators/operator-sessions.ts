import { randomBytes, randomUUID } from "node:crypto";
import { Code, RpcError } from "@scimgw/grpc";
import { ErrorReason } from "@scimgw/proto";
import type { Knex } from "knex";
import { writeTransaction } from "../database/write-transaction.js";
import { generateSecret, hashSecret } from "../secrets/secret.js";
import { hashPassword, verifyPassword } from "../users/password-hash.js";
import { signInEmail } from "./operator-credentials.js";
import { operatorOfRow, type Operator, type OperatorRow } from "./operator-store.js";
import { defaultSignInLimits, forgetAttempt, recordAttempt, refuseIfLimited, type SignInLimits } from "./sign-in-limit.js";

/** Prefixed like the directory's other secrets, so a leaked one is recognisable (secrets/secret.ts). */
const sessionPrefix = "scimgw_session_";

/** The width of operator_sign_in_failures.client_address (migration 0017): an IPv6 address with a zone fits. */
const clientAddressMaxLength = 64;

export interface OperatorSession {
  operator: Operator;
  expiresAt: string;
  csrfToken: string;
}

interface SessionRow {
  token_sha256: string;
  operator_id: string;
  csrf_token: string;
  created_at: string;
  expires_at: string;
  ended_at: string | null;
}

export interface OperatorSessionOptions {
  /** How long a session lasts (OPERATOR_SESSION_HOURS). */
  sessionHours: number;
  limits?: SignInLimits;
  /** The clock, in epoch ms; tests move it. */
  now?: () => number;
}

export const invalidOperatorCredentials = () =>
  new RpcError(Code.UNAUTHENTICATED, "unknown email or wrong password", { reason: ErrorReason.INVALID_OPERATOR_CREDENTIALS });

export const operatorSessionEnded = () =>
  new RpcError(Code.UNAUTHENTICATED, "the session is unknown, expired or ended: sign in again", {
    reason: ErrorReason.OPERATOR_SESSION_ENDED,
  });

/**
 * Operators' sign-ins and sessions. A session token is 256 random bits (secrets/secret.ts) and only
 * its SHA-256 is stored; each session has its own CSRF token, which the console checks on every
 * state change.
 */
export function createOperatorSessions(db: Knex, { sessionHours, limits = defaultSignInLimits, now = Date.now }: OperatorSessionOptions) {
  // An unknown email is checked against this hash, so that answering takes one scrypt derivation
  // whether or not the account exists. Made at the first sign-in of the process, before the
  // account is looked up, so even that sign-in's time says nothing about the email.
  let dummyHash: Promise<string> | undefined;

  return {
    /**
     * Checks an email and password and starts a session. Every attempt counts as a failure until
     * its password is verified, so attempts in flight count against the limit too.
     */
    async start(typedEmail: string, password: string, clientAddress: string, signal?: AbortSignal) {
      const attempt = {
        id: randomUUID(),
        email: signInEmail(typedEmail),
        clientAddress: clientAddress.slice(0, clientAddressMaxLength),
        now: now(),
      };
      await writeTransaction(db, signal, async (trx) => {
        await refuseIfLimited(trx, attempt, limits);
        await recordAttempt(trx, attempt, limits);
      });
      dummyHash ??= hashPassword(randomBytes(16).toString("hex"));
      const decoy = await dummyHash;
      const row = await db<OperatorRow>("operators").where({ email: attempt.email }).first();
      const verified = await verifyPassword(password, row?.password_hash ?? decoy, signal);
      if (row === undefined || !verified) throw invalidOperatorCredentials();

      const { secret: token, sha256 } = generateSecret(sessionPrefix);
      const createdAt = now();
      const session: SessionRow = {
        token_sha256: sha256,
        operator_id: row.id,
        csrf_token: randomBytes(32).toString("base64url"),
        created_at: new Date(createdAt).toISOString(),
        expires_at: new Date(createdAt + sessionHours * 60 * 60 * 1000).toISOString(),
        ended_at: null,
      };
      await writeTransaction(db, signal, async (trx) => {
        await forgetAttempt(trx, attempt.id);
        // The operator's expired sessions go as a new one starts, so their rows stay few. (Ended
        // ones stay until they expire: a sign-in within the failure window restarts its count.)
        await trx<SessionRow>("operator_sessions").where({ operator_id: row.id }).andWhere("expires_at", "<=", session.created_at).delete();
        await trx<SessionRow>("operator_sessions").insert(session);
      });
      return { token, session: { operator: operatorOfRow(row), expiresAt: session.expires_at, csrfToken: session.csrf_token } };
    },

    /** The live session a token names: undefined when unknown, expired, ended, or its operator removed. */
    async get(token: string): Promise<OperatorSession | undefined> {
      if (token === "") return undefined;
      const row: (SessionRow & { email: string; operator_created_at: string }) | undefined = await db("operator_sessions as s")
        .join("operators as o", "o.id", "s.operator_id")
        .where("s.token_sha256", hashSecret(token))
        .first("s.*", "o.email", { operator_created_at: "o.created_at" });
      if (row === undefined || row.ended_at !== null || row.expires_at <= new Date(now()).toISOString()) return undefined;
      return {
        operator: operatorOfRow({ id: row.operator_id, email: row.email, created_at: row.operator_created_at }),
        expiresAt: row.expires_at,
        csrfToken: row.csrf_token,
      };
    },

    /** Ends a session at once; an unknown or ended one is left as it is. */
    async end(token: string): Promise<void> {
      if (token === "") return;
      const endedAt = new Date(now()).toISOString();
      await writeTransaction(db, undefined, (trx) =>
        trx<SessionRow>("operator_sessions")
          .where({ token_sha256: hashSecret(token) })
          .whereNull("ended_at")
          .update({ ended_at: endedAt }),
      );
    },
  };
}

export type OperatorSessions = ReturnType<typeof createOperatorSessions>;
