import { createHash, randomBytes } from "node:crypto";

/**
 * API keys are 256 random bits behind a recognisable prefix (so leaked keys are easy to spot
 * in logs and by secret scanners). The key id is public and names the key in listings.
 */
const keyPrefix = "scimgw_";

export interface IssuedKey {
  /** The secret, shown once to the admin and never stored. */
  key: string;
  /** The public identifier of the key. */
  id: string;
  /** What the directory stores. */
  sha256: string;
}

export function generateApiKey(): IssuedKey {
  const key = keyPrefix + randomBytes(32).toString("base64url");
  const id = randomBytes(6).toString("hex");
  return { key, id, sha256: hashApiKey(key) };
}

/** The lowercase hex SHA-256 of a key as presented; the gateway computes the same. */
export function hashApiKey(key: string): string {
  return createHash("sha256").update(key, "utf8").digest("hex");
}
