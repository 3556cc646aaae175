import type { Knex } from "knex";
import Table from "cli-table3";
import { parseFilter, resolveFilter, userResourceType, type Filter } from "@scimgw/scim";
import { chmod, mkdir, open, readFile, rename, rm } from "node:fs/promises";
import path from "node:path";
import { createApiKeyStore } from "../api-keys/api-key-store.js";
import { hashSecret } from "../secrets/secret.js";
import { createServiceCredentialStore, type Scope } from "../service-credentials/service-credential-store.js";
import { migrateToLatest } from "../database/migrations/migrate.js";
import { describeDatabase, type DatabaseLocation } from "../database/open-database.js";
import { createTenantStore } from "../tenants/tenant-store.js";
import { createUserStore } from "../users/user-store.js";
import { copyStore } from "./copy-store.js";

/** Where command output goes; tests capture it. */
export interface Output {
  write(text: string): void;
}

export interface AdminContext {
  db: Knex;
  out: Output;
}

function table(head: string[], rows: Array<Array<string | number | boolean>>): string {
  const rendered = new Table({ head, style: { head: [], border: [] } });
  rendered.push(...rows.map((row) => row.map(String)));
  return `${rendered.toString()}\n`;
}

const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;

/**
 * The admin's operations on the directory's database. They run against the store directly,
 * so they work whether or not the directory server is running (SQLite's busy timeout and WAL
 * let both processes share the file).
 */
export function createAdminCommands({ db, out }: AdminContext) {
  const tenants = createTenantStore(db);
  const keys = createApiKeyStore(db);
  const users = createUserStore(db);
  const credentials = createServiceCredentialStore(db);

  /**
   * Makes `file` hold a live credential of `scope`: kept if the file's credential still verifies
   * with that scope, else a new one is issued and written (owner-only, replaced atomically). For
   * services on the same machine as the directory (`pnpm start`'s gateway, the example consumer):
   * a restart reuses its credential instead of piling up new ones.
   */
  async function ensureCredentialFile(file: string, name: string, scope: Scope): Promise<"kept" | "issued"> {
    const existing = (await readFile(file, "utf8").catch(() => "")).trim();
    const held = existing === "" ? undefined : await credentials.verify(hashSecret(existing));
    if (held?.scope === scope) {
      await chmod(file, 0o600); // repair a file someone made readable
      return "kept";
    }
    await mkdir(path.dirname(file), { recursive: true });
    const { secret, info } = await credentials.issue(name, scope);
    const temporary = `${file}.tmp`;
    try {
      // A fresh file created owner-only: an existing .tmp (or a symlink there) could carry a wider mode.
      await rm(temporary, { force: true });
      const handle = await open(temporary, "wx", 0o600);
      try {
        await handle.writeFile(`${secret}\n`);
      } finally {
        await handle.close();
      }
      await rename(temporary, file);
    } catch (error) {
      // Nobody holds the new secret: leave no live credential behind.
      await credentials.revoke(info.id);
      throw error;
    }
    // The file's old credential had the wrong scope; it is replaced, so it goes.
    if (held !== undefined) await credentials.revoke(held.id);
    return "issued";
  }

  function announceKey(tenantName: string, key: string, keyId: string): void {
    out.write(
      [
        `API key for tenant "${tenantName}" (key id ${keyId}):`,
        "",
        `    ${key}`,
        "",
        "This is the only time the key is shown; store it now. In Okta, paste it as the",
        "Bearer token of the SCIM connector (Authentication Mode: HTTP Header).",
        "",
      ].join("\n"),
    );
  }

  return {
    /**
     * Migrates, and on an empty database creates the default tenant with a first key. With a
     * gateway credential file, also makes sure that file holds a live gateway credential.
     */
    async bootstrap(
      tenantName: string,
      options: { gatewayCredentialFile?: string } = {},
    ): Promise<{ created: boolean; tenant: string; key?: string; keyId?: string; gatewayCredential?: "kept" | "issued" }> {
      await migrateToLatest(db);
      const gatewayCredential = options.gatewayCredentialFile === undefined ? {} : { gatewayCredential: await ensureCredentialFile(options.gatewayCredentialFile, "gateway (pnpm start)", "read-write") };
      if ((await tenants.count()) > 0) return { created: false, tenant: (await tenants.list())[0]?.name ?? tenantName, ...gatewayCredential };
      const tenant = await tenants.create(tenantName);
      const { key, info } = await keys.issue(tenant.id, "created at first start");
      return { created: true, tenant: tenant.name, key, keyId: info.id, ...gatewayCredential };
    },

    async issueCredential(name: string, options: { scope: Scope; json?: boolean }): Promise<void> {
      await migrateToLatest(db);
      const { secret, info } = await credentials.issue(name, options.scope);
      if (options.json) {
        out.write(json({ credential: secret, ...info }));
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
    },

    async ensureCredential(name: string, options: { scope: Scope; file: string }): Promise<void> {
      await migrateToLatest(db);
      const outcome = await ensureCredentialFile(options.file, name, options.scope);
      out.write(`${outcome === "kept" ? "Kept the live" : "Issued a new"} ${options.scope} service credential "${name}" in ${options.file}\n`);
    },

    async listCredentials(options: { json?: boolean }): Promise<void> {
      const all = await credentials.list();
      if (options.json) out.write(json(all));
      else {
        out.write(
          table(
            ["id", "name", "scope", "status", "created", "last used"],
            all.map((c) => [c.id, c.name, c.scope, c.revokedAt ? `revoked ${c.revokedAt}` : "live", c.createdAt, c.lastUsedAt ?? "never"]),
          ),
        );
      }
    },

    async revokeCredential(id: string): Promise<void> {
      const revoked = await credentials.revoke(id);
      out.write(`Revoked service credential ${revoked.id} ("${revoked.name}"). Directories stop accepting it within their credential cache period.\n`);
    },

    async createTenant(name: string, options: { json?: boolean }): Promise<void> {
      await migrateToLatest(db);
      const tenant = await tenants.create(name);
      const { key, info } = await keys.issue(tenant.id, "first key");
      if (options.json) out.write(json({ tenant, key, keyId: info.id }));
      else {
        out.write(`Created tenant "${tenant.name}" (id ${tenant.id}).\n\n`);
        announceKey(tenant.name, key, info.id);
      }
    },

    async listTenants(options: { json?: boolean }): Promise<void> {
      const all = await tenants.list();
      const withCounts = await Promise.all(all.map(async (tenant) => ({ ...tenant, users: await users.count(tenant.id) })));
      if (options.json) out.write(json(withCounts));
      else out.write(table(["name", "id", "users", "created"], withCounts.map((t) => [t.name, t.id, t.users, t.createdAt])));
    },

    async issueKey(tenantRef: string, options: { label?: string; json?: boolean }): Promise<void> {
      const tenant = await tenants.resolve(tenantRef);
      const { key, info } = await keys.issue(tenant.id, options.label ?? "issued by admin");
      if (options.json) out.write(json({ tenant: tenant.name, key, keyId: info.id }));
      else announceKey(tenant.name, key, info.id);
    },

    async listKeys(tenantRef: string, options: { json?: boolean }): Promise<void> {
      const tenant = await tenants.resolve(tenantRef);
      const all = await keys.list(tenant.id);
      if (options.json) out.write(json(all));
      else {
        out.write(
          table(
            ["key id", "label", "status", "created", "last used"],
            all.map((k) => [k.id, k.label, k.revokedAt ? `revoked ${k.revokedAt}` : "live", k.createdAt, k.lastUsedAt ?? "never"]),
          ),
        );
      }
    },

    async revokeKey(tenantRef: string, keyId: string): Promise<void> {
      const tenant = await tenants.resolve(tenantRef);
      await keys.revoke(tenant.id, keyId);
      out.write(`Revoked key ${keyId} of tenant "${tenant.name}". Gateways stop accepting it within their key cache period.\n`);
    },

    /**
     * Copies this database into an empty one (see copy-store.ts), printing progress, the verified
     * counts, and how to switch the directory over.
     */
    async copyStore(target: Knex, locations: { source: DatabaseLocation; target: DatabaseLocation }): Promise<void> {
      out.write(`Copying ${describeDatabase(locations.source)}\n     to ${describeDatabase(locations.target)}\n`);
      // A line per tenth of each table, so a million users print ten lines, not two thousand.
      const printedTenths = new Map<string, number>();
      const report = await copyStore(db, target, {
        onProgress(tableName, copied, total) {
          const tenths = total === 0 ? 10 : Math.floor((copied * 10) / total);
          if (printedTenths.get(tableName) === tenths) return;
          printedTenths.set(tableName, tenths);
          out.write(`  ${tableName}: ${copied} of ${total} rows\n`);
        },
      });
      out.write(table(["table", "rows copied", "source rows", "target rows"], report.tables.map((t) => [t.table, t.copied, t.sourceRows, t.targetRows])));
      out.write("verified: counts and digests match\n\n");
      const settings =
        locations.target.kind === "postgres"
          ? ["DATABASE_URL=<the URL given to --to>", `DATABASE_SCHEMA=${locations.target.schema}`]
          : [`DATABASE_URL=sqlite:${locations.target.filename}`, "(DATABASE_SCHEMA is not used)"];
      out.write(
        [
          "Next steps, to switch the directory to the copy (or keep the copy as a backup):",
          "  1. Keep every directory replica stopped: writes to the old database from now on are not copied.",
          "  2. Set, for every directory replica:",
          ...settings.map((line) => `       ${line}`),
          "  3. Restart them; they serve from the copy. Keep the old database as a backup.",
          "",
        ].join("\n"),
      );
    },

    /** What an admin runs to check that the identity provider's pushes arrived. */
    async listUsers(tenantRef: string, options: { json?: boolean; filter?: string }): Promise<void> {
      const tenant = await tenants.resolve(tenantRef);
      const filter: Filter | undefined = options.filter ? resolveFilter(parseFilter(options.filter), userResourceType) : undefined;
      const pageSize = 1000;
      const all = [];
      for (let startIndex = 1; ; startIndex += pageSize) {
        const page = await users.list(tenant.id, filter, startIndex, pageSize);
        all.push(...page.users);
        if (page.users.length < pageSize) break;
      }
      if (options.json) {
        out.write(
          json(
            all.map((user) => ({
              id: user.id,
              userName: user.userName,
              active: user.active ?? true,
              displayName: user.displayName ?? null,
              givenName: user.name?.givenName ?? null,
              familyName: user.name?.familyName ?? null,
              email: (user.emails.find((email) => email.primary) ?? user.emails[0])?.value ?? null,
              externalId: user.externalId ?? null,
              version: Number(user.meta?.version ?? 0),
            })),
          ),
        );
        return;
      }
      out.write(
        table(
          ["userName", "status", "name", "email", "externalId", "id"],
          all.map((user) => [
            user.userName,
            user.active === false ? "deactivated" : "active",
            [user.name?.givenName, user.name?.familyName].filter(Boolean).join(" "),
            (user.emails.find((email) => email.primary) ?? user.emails[0])?.value ?? "",
            user.externalId ?? "",
            user.id,
          ]),
        ),
      );
      out.write(`${all.length} user(s) in tenant "${tenant.name}".\n`);
    },
  };
}
