import { chmod, mkdir, open, readFile, rename, rm } from "node:fs/promises";
import path from "node:path";
import { hashSecret } from "../secrets/secret.js";
import type { Scope, ServiceCredentialStore, TenantGrant } from "../service-credentials/service-credential-store.js";

function sameGrant(a: TenantGrant, b: TenantGrant): boolean {
  if (a === "all" || b === "all") return a === b;
  return a.length === b.length && [...a].sort().every((id, i) => id === [...b].sort()[i]);
}

/**
 * Makes `file` hold a live credential of `scope` for `tenants`: kept if the file's credential still
 * verifies with that scope and those tenants, else a new one is issued and written (owner-only, replaced atomically). For
 * services on the same machine as the directory (`pnpm start`'s gateway, the example consumer):
 * a restart reuses its credential instead of piling up new ones.
 */
export async function ensureCredentialFile(
  credentials: ServiceCredentialStore,
  file: string,
  name: string,
  scope: Scope,
  tenants: TenantGrant,
): Promise<"kept" | "issued"> {
  const existing = (await readFile(file, "utf8").catch(() => "")).trim();
  const held = existing === "" ? undefined : await credentials.verify(hashSecret(existing));
  if (held !== undefined && held.scope === scope && sameGrant(held.tenants, tenants)) {
    await chmod(file, 0o600); // repair a file someone made readable
    return "kept";
  }
  const { secret, info } = await credentials.issue(name, scope, tenants);
  try {
    await writeSecretFile(file, secret);
  } catch (error) {
    // Nobody holds the new secret: leave no live credential behind.
    await credentials.revoke(info.id);
    throw error;
  }
  // The file's old credential had the wrong scope or tenants; it is replaced, so it goes.
  if (held !== undefined) await credentials.revoke(held.id);
  return "issued";
}

/** Writes a secret to `file`, owner-only, replacing it atomically (readers see the old or the new secret, never half). */
export async function writeSecretFile(file: string, secret: string): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  const temporary = `${file}.tmp`;
  // A fresh file created owner-only: an existing .tmp (or a symlink there) could carry a wider mode.
  await rm(temporary, { force: true });
  const handle = await open(temporary, "wx", 0o600);
  try {
    await handle.writeFile(`${secret}\n`);
  } finally {
    await handle.close();
  }
  await rename(temporary, file);
}
