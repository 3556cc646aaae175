import type { Command } from "commander";
import { Code, RpcError } from "@scimgw/grpc";
import { createTenantStore } from "../tenants/tenant-store.js";
import type { AdminContext } from "./admin-context.js";
import { reindexTenant } from "./reindex.js";
import { printable, renderJson } from "./render-output.js";

/**
 * `reindex`: an operator's repair of the rows the directory derives from a tenant's users and
 * groups (reindex.ts), for after a bug in one of their rules was fixed, or a hand edit or partial
 * restore; it runs beside a live directory.
 */
export function addReindexCommand(program: Command, { db, out }: AdminContext): void {
  program
    .command("reindex <tenant>")
    .description(
      "derive a tenant's holders of entitlements and roles and its values of unique attributes again from its users and groups, and rewrite the rows that differ",
    )
    .option("--dry-run", "report what would be rewritten, and write nothing")
    .option("--json", "print JSON")
    .action(async (tenantRef: string, options: { dryRun?: boolean; json?: boolean }) => {
      const tenant = await createTenantStore(db).resolve(tenantRef);
      const report = await reindexTenant(db, tenant.id, { dryRun: options.dryRun === true });
      if (options.json) out.write(renderJson({ tenant: tenant.name, ...report, dryRun: options.dryRun === true }));
      else {
        const would = options.dryRun ? "would be " : "";
        out.write(
          [
            `Tenant "${printable(tenant.name)}": ${report.users} users and ${report.groups} groups read.`,
            `  entitlements and roles ${would}rewritten for ${report.assignmentsRewritten} users`,
            `  unique values ${would}rewritten for ${report.uniqueValuesRewritten} users and groups`,
            `  ${report.orphanRowsDeleted} rows of deleted users and groups ${would}removed`,
            ...(options.dryRun ? ["Dry run: nothing was written."] : []),
            "",
          ].join("\n"),
        );
      }
      if (report.conflicts.length > 0) {
        // The rows that conflict stay as they were; which resource keeps a value is the tenant's call.
        const listed = report.conflicts.map((conflict) => `${conflict.resourceType} ${conflict.resourceId}: ${conflict.detail}`);
        throw new RpcError(
          Code.ALREADY_EXISTS,
          `${listed.length} values of unique attributes are held by two resources and were left as they were (${listed.join("; ")}); change one of each pair, then run reindex again`,
        );
      }
    });
}
