import { mkdirSync } from "node:fs";
import path from "node:path";
import { InvalidArgumentError, Option, type Command } from "commander";
import type { Knex } from "knex";
import { migrateToLatest } from "../database/migrations/migrate.js";
import { createServiceCredentialStore, scopes, type Scope, type TenantGrant } from "../service-credentials/service-credential-store.js";
import { createTenantStore } from "../tenants/tenant-store.js";
import type { AdminContext } from "./admin-context.js";
import { ensureCredentialFile } from "./credential-file.js";
import { printable, renderJson, renderTable } from "./render-output.js";

/** How an admin names the tenants of a credential: one or more --tenant, or --all-tenants, never neither. */
export interface TenantChoice {
  tenant?: string[];
  allTenants?: boolean;
}

/**
 * Turns --tenant/--all-tenants into a grant. One of them is required: a credential that reads
 * every tenant is a deliberate choice (the gateway's), not what an admin gets by leaving a flag out.
 */
async function tenantGrantOf(db: Knex, choice: TenantChoice): Promise<TenantGrant> {
  const named = choice.tenant ?? [];
  if (choice.allTenants && named.length > 0) throw new InvalidArgumentError("give --tenant or --all-tenants, not both");
  if (choice.allTenants) return "all";
  if (named.length === 0)
    throw new InvalidArgumentError("name the tenants the credential may read with --tenant <id|name> (repeatable), or give --all-tenants");
  return createTenantStore(db).resolveIds(named);
}

async function describeGrant(db: Knex, grant: TenantGrant): Promise<string> {
  if (grant === "all") return "all tenants";
  const names = new Map((await createTenantStore(db).list()).map((tenant) => [tenant.id, tenant.name]));
  return grant.map((id) => names.get(id) ?? id).join(", ");
}

export async function issueCredential(
  { db, out }: AdminContext,
  name: string,
  options: { scope: Scope; json?: boolean } & TenantChoice,
): Promise<void> {
  await migrateToLatest(db);
  const grant = await tenantGrantOf(db, options);
  const { secret, info } = await createServiceCredentialStore(db).issue(name, options.scope, grant);
  if (options.json) {
    out.write(renderJson({ credential: secret, ...info }));
    return;
  }
  out.write(
    [
      `Service credential "${printable(info.name)}" (id ${info.id}, ${info.scope}, ${printable(await describeGrant(db, info.tenants))}):`,
      "",
      `    ${secret}`,
      "",
      "This is the only time it is shown; store it now in the calling service's secrets.",
      "It is sent as gRPC metadata `authorization: Bearer <credential>` (the directory client's",
      "`serviceCredential` option; the gateway's DIRECTORY_CREDENTIAL or DIRECTORY_CREDENTIAL_FILE).",
      "",
    ].join("\n"),
  );
}

export async function ensureCredential(
  { db, out }: AdminContext,
  name: string,
  options: { scope: Scope; file: string; tenants: TenantGrant; json?: boolean },
): Promise<void> {
  await migrateToLatest(db);
  const outcome = await ensureCredentialFile(createServiceCredentialStore(db), options.file, name, options.scope, options.tenants);
  if (options.json) {
    out.write(renderJson({ name, scope: options.scope, tenants: options.tenants, file: options.file, credential: outcome }));
    return;
  }
  out.write(
    `${outcome === "kept" ? "Kept the live" : "Issued a new"} ${options.scope} service credential "${printable(name)}" in ${printable(options.file)}\n`,
  );
}

export async function listCredentials({ db, out }: AdminContext, options: { json?: boolean }): Promise<void> {
  const all = await createServiceCredentialStore(db).list();
  if (options.json) out.write(renderJson(all));
  else {
    const rows = await Promise.all(
      all.map(async (c) => [
        c.id,
        c.name,
        c.scope,
        await describeGrant(db, c.tenants),
        c.revokedAt ? `revoked ${c.revokedAt}` : "live",
        c.createdAt,
        c.lastUsedAt ?? "never",
      ]),
    );
    out.write(renderTable(["id", "name", "scope", "tenants", "status", "created", "last used"], rows));
  }
}

export async function revokeCredential({ db, out }: AdminContext, id: string, options: { json?: boolean }): Promise<void> {
  const revoked = await createServiceCredentialStore(db).revoke(id);
  if (options.json) {
    out.write(renderJson(revoked));
    return;
  }
  out.write(
    `Revoked service credential ${revoked.id} ("${printable(revoked.name)}"). Directories stop accepting it within their credential cache period.\n`,
  );
}

const collect = (value: string, previous: string[] = []) => [...previous, value];

export function addCredentialCommands(program: Command, context: AdminContext): void {
  const credentials = program
    .command("credentials")
    .description("service credentials that internal services (and the gateway) present to the directory's gRPC API");
  credentials
    .command("issue <name>")
    .description("issue a credential (shown once); name its tenants with --tenant, or give --all-tenants")
    .addOption(new Option("--scope <scope>", "what it may do").choices([...scopes]).makeOptionMandatory())
    .option("--tenant <id|name>", "a tenant it may read (repeatable)", collect)
    .option("--all-tenants", "it may name any tenant (the gateway's credential needs this)")
    .option("--json", "print JSON")
    .action((name: string, options: { scope: Scope; json?: boolean } & TenantChoice) => issueCredential(context, name, options));
  credentials
    .command("ensure <name>")
    .description("make a file hold a live credential, issuing one only if needed (for services on this machine)")
    .addOption(new Option("--scope <scope>", "what it may do").choices([...scopes]).makeOptionMandatory())
    .option("--tenant <id|name>", "a tenant it may read (repeatable)", collect)
    .option("--all-tenants", "it may name any tenant (the gateway's credential needs this)")
    .requiredOption("--file <path>", "where the credential is kept (written owner-only)")
    .option("--json", "print JSON (never the secret)")
    .action(async (name: string, options: { scope: Scope; file: string; json?: boolean } & TenantChoice) => {
      const tenants = await tenantGrantOf(context.db, options);
      mkdirSync(path.dirname(path.resolve(options.file)), { recursive: true });
      return ensureCredential(context, name, {
        scope: options.scope,
        file: path.resolve(options.file),
        tenants,
        json: options.json === true,
      });
    });
  credentials
    .command("list")
    .description("list credentials (never the secrets) with the tenants each may read")
    .option("--json", "print JSON")
    .action((options: { json?: boolean }) => listCredentials(context, options));
  credentials
    .command("revoke <id>")
    .description("revoke a credential")
    .option("--json", "print the revoked credential as JSON")
    .action((id: string, options: { json?: boolean }) => revokeCredential(context, id, options));
}
