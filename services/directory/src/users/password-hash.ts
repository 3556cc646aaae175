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

/**
 * scrypt runs on libuv's thread pool (4 threads), which sqlite3 uses for every query too. Measured
 * on a 2-core machine: one hash takes ~0.3-0.6 s; 8 at once took 4.3 s and held all 4 threads, so
 * every tenant's queries waited behind them. One hash at a time keeps 3 threads for the store and
 * a core for everything else; passwords are set rarely (provisioning, resets), so a queue is cheap.
 * Raising UV_THREADPOOL_SIZE instead would let more hashes fight over the same 2 cores.
 */
const maxConcurrentHashes = 1;
let hashing = 0;
const waitingForHash: Array<() => void> = [];

/** Runs one derivation when a hashing slot is free; a call whose signal aborts while waiting leaves the queue. */
async function inHashSlot<T>(signal: AbortSignal | undefined, derivation: () => Promise<T>): Promise<T> {
  signal?.throwIfAborted();
  if (hashing >= maxConcurrentHashes) {
    await new Promise<void>((resolve, reject) => {
      const admit = () => {
        signal?.removeEventListener("abort", onAbort);
        resolve();
      };
      const onAbort = () => {
        waitingForHash.splice(waitingForHash.indexOf(admit), 1);
        reject(signal?.reason);
      };
      waitingForHash.push(admit);
      signal?.addEventListener("abort", onAbort, { once: true });
    });
  } else {
    hashing++;
  }
  try {
    return await derivation();
  } finally {
    // The slot passes straight to the next waiter, or is given back.
    const next = waitingForHash.shift();
    if (next === undefined) hashing--;
    else next();
  }
}

function derive(password: string, salt: Buffer, options: ScryptParameters, signal: AbortSignal | undefined): Promise<Buffer> {
  const maxmem = 128 * options.N * options.r * 2;
  return inHashSlot(
    signal,
    () =>
      new Promise<Buffer>((resolve, reject) =>
        scrypt(password.normalize("NFC"), salt, keyLength, { ...options, maxmem }, (error, key) => (error ? reject(error) : resolve(key))),
      ),
  );
}

/** A new salted hash; `signal` stops the wait for a hashing slot (not a derivation under way). */
export async function hashPassword(password: string, signal?: AbortSignal): Promise<string> {
  const salt = randomBytes(16);
  const key = await derive(password, salt, parameters, signal);
  return ["scrypt", parameters.N, parameters.r, parameters.p, salt.toString("base64"), key.toString("base64")].join("$");
}

export async function verifyPassword(password: string, stored: string, signal?: AbortSignal): Promise<boolean> {
  const [scheme, n, r, p, salt, hash] = stored.split("$");
  if (scheme !== "scrypt" || salt === undefined || hash === undefined) return false;
  const expected = Buffer.from(hash, "base64");
  const key = await derive(password, Buffer.from(salt, "base64"), { N: Number(n), r: Number(r), p: Number(p) }, signal);
  return key.length === expected.length && timingSafeEqual(key, expected);
}
