import { generateSecret, hashSecret } from "../secrets/secret.js";

/** API keys identify one tenant's identity provider; see secrets/secret.ts for their shape. */
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
  const { secret, id, sha256 } = generateSecret(keyPrefix);
  return { key: secret, id, sha256 };
}

/** The lowercase hex SHA-256 of a key as presented; the gateway computes the same. */
export const hashApiKey = hashSecret;
