import { type Command, InvalidArgumentError, Option } from "commander";
import { create } from "@bufbuild/protobuf";
import { timestampDate } from "@bufbuild/protobuf/wkt";
import { EntitlementSchema, EntitlementTypeSchema, type Entitlement } from "@scimgw/proto";
import { createCatalogStore, kindToProto } from "../entitlements/catalog-store.js";
import { createTenantStore } from "../tenants/tenant-store.js";
import type { AdminContext } from "./admin-context.js";
import { positiveInteger } from "./positive-integer.js";
import { printable, renderJson, renderTable } from "./render-output.js";

/** Entries are read a page at a time, so a big catalog is never one query's result. */
const pageSize = 500;

function entrySummary(entry: Entitlement) {
  return {
    type: entry.type,
    id: entry.id,
    displayName: entry.displayName,
    description: entry.description,
    lastModified: entry.meta?.lastModified ? timestampDate(entry.meta.lastModified).toISOString() : null,
    version: Number(entry.meta?.version ?? 0),
  };
}

function kindOption(value: string): "entitlement" | "role" {
  if (value !== "entitlement" && value !== "role") throw new InvalidArgumentError("must be entitlement or role");
  return value;
}

/**
 * `entitlements …`: a tenant's catalog of entitlements and roles, as an operator publishes it
 * before an identity provider discovers it (internal services publish through EntitlementService).
 */
export function addEntitlementCommands(program: Command, { db, out }: AdminContext): void {
  const catalog = createCatalogStore(db);
  const tenantOf = (ref: string) => createTenantStore(db).resolve(ref);
  const entitlements = program
    .command("entitlements")
    .description("a tenant's catalog of entitlements and roles, served read-only over SCIM at each type's endpoint");

  const types = entitlements.command("types").description("the catalog's types: each a SCIM resource type with its own endpoint");
  types
    .command("add <tenant> <name>")
    .description("add or update a catalog type, e.g. License served at /Licenses")
    .requiredOption("--endpoint <path>", 'where SCIM serves its entries, e.g. "/Licenses"')
    .addOption(
      new Option("--kind <kind>", "entitlement (users' entitlements) or role (users' roles)").argParser(kindOption).default("entitlement"),
    )
    .option("--description <text>", "what the type is, shown by identity providers", "")
    .option("--json", "print JSON")
    .action(
      async (
        tenantRef: string,
        name: string,
        options: { endpoint: string; kind: "entitlement" | "role"; description: string; json?: boolean },
      ) => {
        const tenant = await tenantOf(tenantRef);
        const { type, created } = await catalog.putType(
          tenant.id,
          create(EntitlementTypeSchema, {
            name,
            kind: kindToProto(options.kind),
            endpoint: options.endpoint,
            description: options.description,
          }),
        );
        if (options.json) {
          out.write(renderJson({ name: type.name, kind: options.kind, endpoint: type.endpoint, description: type.description, created }));
          return;
        }
        out.write(
          `${created ? "Added" : "Updated"} ${options.kind} type "${printable(type.name)}" at ${type.endpoint} in tenant "${printable(tenant.name)}".\n`,
        );
      },
    );
  types
    .command("list <tenant>")
    .description("list a tenant's catalog types")
    .option("--json", "print JSON")
    .action(async (tenantRef: string, options: { json?: boolean }) => {
      const tenant = await tenantOf(tenantRef);
      const rows = await catalog.listTypes(tenant.id);
      if (options.json) {
        out.write(
          renderJson(rows.map((row) => ({ name: row.name, kind: row.kind, endpoint: row.endpoint, description: row.description }))),
        );
        return;
      }
      out.write(
        renderTable(
          ["name", "kind", "endpoint", "description"],
          rows.map((row) => [row.name, row.kind, row.endpoint, row.description]),
        ),
      );
      out.write(`${rows.length} catalog type(s) in tenant "${printable(tenant.name)}".\n`);
    });
  types
    .command("remove <tenant> <name>")
    .description("remove a catalog type and all its entries (users keep the values they hold)")
    .action(async (tenantRef: string, name: string) => {
      const tenant = await tenantOf(tenantRef);
      const deleted = await catalog.deleteType(tenant.id, name);
      out.write(
        `Removed catalog type "${printable(name)}" and its ${deleted} entr${deleted === 1 ? "y" : "ies"} from tenant "${printable(tenant.name)}".\n`,
      );
    });

  entitlements
    .command("add <tenant> <type> <id> <displayName>")
    .description("add or update an entry of a catalog type: id is the value users hold")
    .option("--description <text>", "what it grants (at most 1000 characters)", "")
    .option("--json", "print JSON")
    .action(async (tenantRef: string, type: string, id: string, displayName: string, options: { description: string; json?: boolean }) => {
      const tenant = await tenantOf(tenantRef);
      const { entitlement, created } = await catalog.upsert(
        tenant.id,
        create(EntitlementSchema, { type, id, displayName, description: options.description }),
      );
      if (options.json) {
        out.write(renderJson({ ...entrySummary(entitlement), created }));
        return;
      }
      out.write(
        `${created ? "Added" : "Updated"} ${printable(entitlement.type)} "${printable(id)}" in tenant "${printable(tenant.name)}".\n`,
      );
    });
  entitlements
    .command("list <tenant> <type>")
    .description("list the entries of a catalog type, ordered by id")
    .option("--limit <n>", "list at most n entries", positiveInteger)
    .option("--json", "print JSON")
    .action(async (tenantRef: string, type: string, options: { limit?: number; json?: boolean }) => {
      const tenant = await tenantOf(tenantRef);
      const limit = options.limit ?? Number.POSITIVE_INFINITY;
      const listed: Entitlement[] = [];
      let totalResults = 0;
      for (let after: string | undefined; listed.length < limit; ) {
        const page = await catalog.list(tenant.id, type, undefined, { after, count: Math.min(pageSize, limit - listed.length) });
        totalResults = page.totalResults;
        listed.push(...page.entitlements);
        if (page.nextAfter === undefined) break;
        after = page.nextAfter;
      }
      if (options.json) {
        out.write(renderJson(listed.map(entrySummary)));
        return;
      }
      out.write(
        renderTable(
          ["id", "displayName", "description"],
          listed.map((entry) => [entry.id, entry.displayName, entry.description]),
        ),
      );
      const shown = listed.length < totalResults ? `${listed.length} of ${totalResults}` : `${listed.length}`;
      out.write(`${shown} entr${totalResults === 1 ? "y" : "ies"} of "${printable(type)}" in tenant "${printable(tenant.name)}".\n`);
    });
  entitlements
    .command("remove <tenant> <type> <id>")
    .description("remove an entry of a catalog type (users keep the values they hold)")
    .action(async (tenantRef: string, type: string, id: string) => {
      const tenant = await tenantOf(tenantRef);
      await catalog.deleteEntry(tenant.id, type, id);
      out.write(`Removed ${printable(type)} "${printable(id)}" from tenant "${printable(tenant.name)}".\n`);
    });
}
