import { mkdirSync } from "node:fs";
import path from "node:path";
import { Option, type Command } from "commander";
import { migrateToLatest } from "../database/migrations/migrate.js";
import { createServiceCredentialStore, scopes, type Scope } from "../service-credentials/service-credential-store.js";
import type { AdminContext } from "./admin-context.js";
import { ensureCredentialFile } from "./credential-file.js";
import { renderJson, renderTable } from "./render-output.js";

export async function issueCredential({ db, out }: AdminContext, name: string, options: { scope: Scope; json?: boolean }): Promise<void> {
  await migrateToLatest(db);
  const { secret, info } = await createServiceCredentialStore(db).issue(name, options.scope);
  if (options.json) {
    out.write(renderJson({ credential: secret, ...info }));
    return;
  }
  out.write(
    [
      `Service credential "${info.name}" (id ${info.id}, ${info.scope}):`,
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

export async function ensureCredential({ db, out }: AdminContext, name: string, options: { scope: Scope; file: string }): Promise<void> {
  await migrateToLatest(db);
  const outcome = await ensureCredentialFile(createServiceCredentialStore(db), options.file, name, options.scope);
  out.write(`${outcome === "kept" ? "Kept the live" : "Issued a new"} ${options.scope} service credential "${name}" in ${options.file}\n`);
}

export async function listCredentials({ db, out }: AdminContext, options: { json?: boolean }): Promise<void> {
  const all = await createServiceCredentialStore(db).list();
  if (options.json) out.write(renderJson(all));
  else {
    out.write(
      renderTable(
        ["id", "name", "scope", "status", "created", "last used"],
        all.map((c) => [c.id, c.name, c.scope, c.revokedAt ? `revoked ${c.revokedAt}` : "live", c.createdAt, c.lastUsedAt ?? "never"]),
      ),
    );
  }
}

export async function revokeCredential({ db, out }: AdminContext, id: string): Promise<void> {
  const revoked = await createServiceCredentialStore(db).revoke(id);
  out.write(
    `Revoked service credential ${revoked.id} ("${revoked.name}"). Directories stop accepting it within their credential cache period.\n`,
  );
}

export function addCredentialCommands(program: Command, context: AdminContext): void {
  const credentials = program
    .command("credentials")
    .description("service credentials that internal services (and the gateway) present to the directory's gRPC API");
  credentials
    .command("issue <name>")
    .description("issue a credential (shown once)")
    .addOption(new Option("--scope <scope>", "what it may do").choices([...scopes]).makeOptionMandatory())
    .option("--json", "print JSON")
    .action((name: string, options: { scope: Scope; json?: boolean }) => issueCredential(context, name, options));
  credentials
    .command("ensure <name>")
    .description("make a file hold a live credential, issuing one only if needed (for services on this machine)")
    .addOption(new Option("--scope <scope>", "what it may do").choices([...scopes]).makeOptionMandatory())
    .requiredOption("--file <path>", "where the credential is kept (written owner-only)")
    .action((name: string, options: { scope: Scope; file: string }) => {
      mkdirSync(path.dirname(path.resolve(options.file)), { recursive: true });
      return ensureCredential(context, name, { scope: options.scope, file: path.resolve(options.file) });
    });
  credentials
    .command("list")
    .description("list credentials (never the secrets)")
    .option("--json", "print JSON")
    .action((options: { json?: boolean }) => listCredentials(context, options));
  credentials
    .command("revoke <id>")
    .description("revoke a credential")
    .action((id: string) => revokeCredential(context, id));
}
