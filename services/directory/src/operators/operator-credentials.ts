import { randomBytes } from "node:crypto";
import { invalidValue } from "../errors/directory-errors.js";

/** The width of operators.email (migration 0015), the longest address RFC 5321 allows. */
const emailMaxLength = 254;

/**
 * An operator's email as stored: trimmed and lowercase, printable ASCII around one "@". ASCII
 * only, so that lowercasing means the same in TypeScript, SQLite and PostgreSQL (the table's
 * check compares with the store's lower()).
 */
export function validOperatorEmail(typed: string): string {
  const email = typed.trim().toLowerCase();
  if (email.length > emailMaxLength) throw invalidValue(`an operator's email must be at most ${emailMaxLength} characters`);
  if (!/^[!-?A-~]+@[!-?A-~]+$/.test(email)) throw invalidValue(`"${email}" is not an email address (printable ASCII with one @)`);
  return email;
}

/** The email a sign-in names, folded as stored, for lookup and the per-account failure count; never refused. */
export function signInEmail(typed: string): string {
  return typed.trim().toLowerCase().slice(0, emailMaxLength);
}

export const operatorPasswordMinLength = 12;
const operatorPasswordMaxLength = 1024;

/** An operator's password: 12 to 1024 characters (it is scrypt-hashed; a long passphrase is welcome). */
export function validOperatorPassword(password: string): string {
  const length = [...password].length;
  if (length < operatorPasswordMinLength)
    throw invalidValue(`an operator's password must be at least ${operatorPasswordMinLength} characters, not ${length}`);
  if (length > operatorPasswordMaxLength)
    throw invalidValue(`an operator's password must be at most ${operatorPasswordMaxLength} characters`);
  return password;
}

/** A random password for an operator who gave none: 144 bits, 24 URL-safe characters. */
export function generateOperatorPassword(): string {
  return randomBytes(18).toString("base64url");
}
