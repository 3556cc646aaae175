import type { Command } from "commander";
import { createApiKeyStore } from "../api-keys/api-key-store.js";
import { createTenantStore } from "../tenants/tenant-store.js";
import type { AdminContext } from "./admin-context.js";
import { printable, renderJson, renderTable } from "./render-output.js";

/** The one time a key is shown, with where it goes in the identity provider. */
export function renderNewKey(tenantName: string, key: string, keyId: string): string {
  return [
    `API key for tenant "${printable(tenantName)}" (key id ${keyId}):`,
    "",
    `    ${key}`,
    "",
    "This is the only time the key is shown; store it now. In Okta, paste it as the",
    "Bearer token of the SCIM connector (Authentication Mode: HTTP Header).",
    "",
  ].join("\n");
}

export async function issueKey({ db, out }: AdminContext, tenantRef: string, options: { label?: string; json?: boolean }): Promise<void> {
  const tenant = await createTenantStore(db).resolve(tenantRef);
  const { key, info } = await createApiKeyStore(db).issue(tenant.id, options.label ?? "issued by admin");
  if (options.json) out.write(renderJson({ tenant: tenant.name, key, keyId: info.id }));
  else out.write(renderNewKey(tenant.name, key, info.id));
}

export async function listKeys({ db, out }: AdminContext, tenantRef: string, options: { json?: boolean }): Promise<void> {
  const tenant = await createTenantStore(db).resolve(tenantRef);
  const all = await createApiKeyStore(db).list(tenant.id);
  if (options.json) out.write(renderJson(all));
  else {
    out.write(
      renderTable(
        ["key id", "label", "status", "created", "last used"],
        all.map((k) => [k.id, k.label, k.revokedAt ? `revoked ${k.revokedAt}` : "live", k.createdAt, k.lastUsedAt ?? "never"]),
      ),
    );
  }
}

export async function revokeKey({ db, out }: AdminContext, tenantRef: string, keyId: string, options: { json?: boolean }): Promise<void> {
  const tenant = await createTenantStore(db).resolve(tenantRef);
  const revoked = await createApiKeyStore(db).revoke(tenant.id, keyId);
  if (options.json) out.write(renderJson(revoked));
  else out.write(`Revoked key ${keyId} of tenant "${printable(tenant.name)}". Gateways stop accepting it within their key cache period.\n`);
}

export function addKeyCommands(program: Command, context: AdminContext): void {
  const keys = program.command("keys").description("API keys that identity providers use as bearer tokens");
  keys
    .command("issue <tenant>")
    .description("issue a new API key (shown once); old keys stay valid until revoked")
    .option("--label <label>", "what the key is for")
    .option("--json", "print JSON")
    .action((tenant: string, options: { label?: string; json?: boolean }) => issueKey(context, tenant, options));
  keys
    .command("list <tenant>")
    .description("list a tenant's keys (never the secrets)")
    .option("--json", "print JSON")
    .action((tenant: string, options: { json?: boolean }) => listKeys(context, tenant, options));
  keys
    .command("revoke <tenant> <keyId>")
    .description("revoke a key")
    .option("--json", "print the revoked key as JSON")
    .action((tenant: string, keyId: string, options: { json?: boolean }) => revokeKey(context, tenant, keyId, options));
}
