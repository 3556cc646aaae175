import { readFileSync } from "node:fs";
import { type Command, InvalidArgumentError, Option } from "commander";
import { timestampDate } from "@bufbuild/protobuf/wkt";
import { ExtendedResourceType } from "@scimgw/proto";
import { groupResourceType, parseExtensionSchema, schemaDocument, userResourceType } from "@scimgw/scim";
import { extensionFromProto, extensionToProto } from "@scimgw/scim-proto";
import { createSchemaStore } from "../schemas/schema-store.js";
import { createTenantStore } from "../tenants/tenant-store.js";
import type { AdminContext } from "./admin-context.js";
import { printable, renderJson, renderTable } from "./render-output.js";

function resourceTypeOption(value: string): "User" | "Group" {
  if (value !== "User" && value !== "Group") throw new InvalidArgumentError("must be User or Group");
  return value;
}

/** The file's JSON, or a usage error naming the file. */
function readDocument(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    throw new InvalidArgumentError(`cannot read ${file}: ${(error as Error).message}`);
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new InvalidArgumentError(`${file} is not JSON: ${(error as Error).message}`);
  }
}

/**
 * `schemas …`: a tenant's own extension schemas (RFC 7643 §3.3), registered from RFC 7643 §7
 * documents (internal services use SchemaService). A refused change fails with every reason.
 */
export function addSchemaCommands(program: Command, { db, out }: AdminContext): void {
  const schemas = createSchemaStore(db);
  const tenantOf = (ref: string) => createTenantStore(db).resolve(ref);
  const command = program
    .command("schemas")
    .description("a tenant's own extension schemas: attributes its Users or Groups carry beyond the core and enterprise schemas");

  command
    .command("add <tenant> <file>")
    .description("register an extension from an RFC 7643 §7 schema document, or change a registered one compatibly")
    .addOption(
      new Option("--resource-type <type>", "the resource type it extends, User or Group (default: as registered, else User)").argParser(
        resourceTypeOption,
      ),
    )
    .option("--required", "every resource of the type must carry the extension")
    .option("--no-required", "the extension is optional (the default for a new one)")
    .option("--dry-run", "check the change and print it without storing anything")
    .option("--json", "print JSON")
    .action(
      async (
        tenantRef: string,
        file: string,
        options: { resourceType?: "User" | "Group"; required?: boolean; dryRun?: boolean; json?: boolean },
      ) => {
        const tenant = await tenantOf(tenantRef);
        const document = readDocument(file);
        const id = typeof (document as { id?: unknown } | null)?.id === "string" ? (document as { id: string }).id : "";
        // A document says nothing of the resource type or whether it is required (those are the
        // ResourceType's, RFC 7643 §6): what is registered stays unless the options say otherwise.
        const registered = id === "" ? undefined : await schemas.get(tenant.id, id).catch(() => undefined);
        const previous = registered === undefined ? undefined : extensionFromProto(registered);
        const resourceType = options.resourceType ?? previous?.resourceType ?? "User";
        const parsed = parseExtensionSchema(document, resourceType === "User" ? userResourceType : groupResourceType);
        if (parsed.schema === undefined) {
          throw new InvalidArgumentError(`${file} is not a valid extension schema:\n  ${parsed.problems.join("\n  ")}`);
        }
        const applied = await schemas.apply(
          tenant.id,
          extensionToProto({ resourceType, required: options.required ?? previous?.required ?? false, schema: parsed.schema }),
          { validateOnly: options.dryRun === true },
        );
        if (options.json) {
          out.write(
            renderJson({
              id: applied.extension.id,
              resourceType,
              created: applied.created,
              changes: applied.changes,
              schemaRevision: Number(applied.schemaRevision),
              dryRun: options.dryRun === true,
            }),
          );
          return;
        }
        const verb =
          applied.changes.length === 0 ? "Unchanged:" : options.dryRun ? "Would apply to" : applied.created ? "Registered" : "Updated";
        out.write(`${verb} ${resourceType} extension "${printable(applied.extension.id)}" in tenant "${printable(tenant.name)}".\n`);
        for (const change of applied.changes) out.write(`  ${printable(change)}\n`);
        if (applied.changes.length > 0 && !options.dryRun) out.write(`Schema revision ${applied.schemaRevision}.\n`);
      },
    );

  command
    .command("list <tenant>")
    .description("list a tenant's extensions, with its schema revision")
    .option("--json", "print JSON")
    .action(async (tenantRef: string, options: { json?: boolean }) => {
      const tenant = await tenantOf(tenantRef);
      const { extensions, schemaRevision } = await schemas.list(tenant.id);
      const rows = extensions.map((extension) => ({
        id: extension.id,
        resourceType: extension.resourceType === ExtendedResourceType.GROUP ? "Group" : "User",
        required: extension.required,
        attributes: extension.attributes.length,
        lastModified: extension.lastModified === undefined ? null : timestampDate(extension.lastModified).toISOString(),
      }));
      if (options.json) {
        out.write(renderJson({ schemaRevision: Number(schemaRevision), extensions: rows }));
        return;
      }
      out.write(
        renderTable(
          ["id", "resource type", "required", "attributes", "last modified"],
          rows.map((row) => [row.id, row.resourceType, row.required, row.attributes, row.lastModified ?? ""]),
        ),
      );
      out.write(`${rows.length} extension(s) in tenant "${printable(tenant.name)}", schema revision ${schemaRevision}.\n`);
    });

  command
    .command("show <tenant> <urn>")
    .description("print an extension as an RFC 7643 §7 schema document (what `schemas add` reads)")
    .action(async (tenantRef: string, id: string) => {
      const tenant = await tenantOf(tenantRef);
      out.write(renderJson(schemaDocument(extensionFromProto(await schemas.get(tenant.id, id)).schema)));
    });
}
