import { createHash, randomBytes } from "node:crypto";

/**
 * Secrets the directory issues (API keys, service credentials): 256 random bits behind a
 * recognisable prefix, so a leaked one is easy to spot in logs and by secret scanners. Only the
 * SHA-256 is stored: the secret is high-entropy, so a fast hash cannot be brute-forced and lets
 * verification be one indexed lookup.
 */
export interface IssuedSecret {
  /** The secret, shown once and never stored. */
  secret: string;
  /** A short public identifier that names it in listings. */
  id: string;
  /** What the directory stores. */
  sha256: string;
}

export function generateSecret(prefix: string): IssuedSecret {
  const secret = prefix + randomBytes(32).toString("base64url");
  return { secret, id: randomBytes(6).toString("hex"), sha256: hashSecret(secret) };
}

/** The lowercase hex SHA-256 of a secret as presented; the gateway computes the same for API keys. */
export function hashSecret(secret: string): string {
  return createHash("sha256").update(secret, "utf8").digest("hex");
}
