import { randomUUID } from "node:crypto";
import type { Knex } from "knex";
import { nowIso } from "../database/timestamps.js";
import { isUniqueViolation } from "../database/unique-violation.js";
import { writeTransaction } from "../database/write-transaction.js";
import { notFound, uniquenessViolation } from "../errors/directory-errors.js";
import { hashPassword } from "../users/password-hash.js";
import { validOperatorEmail, validOperatorPassword } from "./operator-credentials.js";

/** An operator's account, never its password hash. */
export interface Operator {
  id: string;
  email: string;
  createdAt: string;
}

export interface OperatorRow {
  id: string;
  email: string;
  password_hash: string;
  created_at: string;
}

export const operatorOfRow = (row: Pick<OperatorRow, "id" | "email" | "created_at">): Operator => ({
  id: row.id,
  email: row.email,
  createdAt: row.created_at,
});

/**
 * The console's operators (`scimgw-admin operators`). Passwords are hashed with the users' scrypt
 * helper, outside any transaction (a hash takes a while and runs one at a time).
 */
export function createOperatorStore(db: Knex) {
  async function byEmail(typedEmail: string): Promise<OperatorRow> {
    const email = validOperatorEmail(typedEmail);
    const row = await db<OperatorRow>("operators").where({ email }).first();
    if (row === undefined) throw notFound(`operator "${email}"`);
    return row;
  }

  return {
    /** Adds an operator; ALREADY_EXISTS (UNIQUENESS, `email`) when the email, in any letter case, has one. */
    async add(typedEmail: string, password: string): Promise<Operator> {
      const email = validOperatorEmail(typedEmail);
      const row: OperatorRow = {
        id: randomUUID(),
        email,
        password_hash: await hashPassword(validOperatorPassword(password)),
        created_at: nowIso(),
      };
      try {
        await writeTransaction(db, undefined, (trx) => trx<OperatorRow>("operators").insert(row));
      } catch (error) {
        if (isUniqueViolation(error)) throw uniquenessViolation(`an operator "${email}" already exists`, "email");
        throw error;
      }
      return operatorOfRow(row);
    },

    /** Every operator, by email. */
    async list(): Promise<Operator[]> {
      const rows = await db<OperatorRow>("operators").select("id", "email", "created_at").orderBy("email");
      return rows.map(operatorOfRow);
    },

    /** Removes an operator and, in the same transaction, every session of theirs: they end at once. */
    async remove(typedEmail: string): Promise<Operator> {
      const row = await byEmail(typedEmail);
      const removed = await writeTransaction(db, undefined, async (trx) => {
        await trx("operator_sessions").where({ operator_id: row.id }).delete();
        return trx<OperatorRow>("operators").where({ id: row.id }).delete();
      });
      if (removed === 0) throw notFound(`operator "${row.email}"`);
      return operatorOfRow(row);
    },

    /**
     * Sets an operator's password and ends their sessions (whoever signed in with the old password
     * is signed out); returns how many sessions it ended that had not ended or expired.
     */
    async setPassword(typedEmail: string, password: string): Promise<{ operator: Operator; endedSessions: number }> {
      const row = await byEmail(typedEmail);
      const passwordHash = await hashPassword(validOperatorPassword(password));
      const endedAt = nowIso();
      const endedSessions = await writeTransaction(db, undefined, async (trx) => {
        const updated = await trx<OperatorRow>("operators").where({ id: row.id }).update({ password_hash: passwordHash });
        if (updated === 0) throw notFound(`operator "${row.email}"`);
        return trx("operator_sessions")
          .where({ operator_id: row.id })
          .whereNull("ended_at")
          .andWhere("expires_at", ">", endedAt)
          .update({ ended_at: endedAt });
      });
      return { operator: operatorOfRow(row), endedSessions };
    },
  };
}

export type OperatorStore = ReturnType<typeof createOperatorStore>;
