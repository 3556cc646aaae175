import { randomBytes, scrypt, timingSafeEqual } from "node:crypto";

/**
 * Passwords that identity providers sync are low-entropy human secrets, so unlike API keys they
 * get a slow, salted hash (scrypt, N=2^15). Stored as "scrypt$N$r$p$salt$hash" so the parameters
 * can be raised later without breaking old hashes.
 */
const parameters = { N: 2 ** 15, r: 8, p: 1 } as const;
const keyLength = 32;

/** scrypt's cost (N), block size (r) and parallelism (p): always all three, as stored in the hash. */
interface ScryptParameters {
  N: number;
  r: number;
  p: number;
}

function derive(password: string, salt: Buffer, options: ScryptParameters): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scrypt(password.normalize("NFC"), salt, keyLength, { ...options, maxmem: 128 * options.N * options.r * 2 }, (error, key) =>
      error ? reject(error) : resolve(key),
    ),
  );
}

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await derive(password, salt, parameters);
  return ["scrypt", parameters.N, parameters.r, parameters.p, salt.toString("base64"), key.toString("base64")].join("$");
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, n, r, p, salt, hash] = stored.split("$");
  if (scheme !== "scrypt" || salt === undefined || hash === undefined) return false;
  const expected = Buffer.from(hash, "base64");
  const key = await derive(password, Buffer.from(salt, "base64"), { N: Number(n), r: Number(r), p: Number(p) });
  return key.length === expected.length && timingSafeEqual(key, expected);
}
