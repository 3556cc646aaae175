import { ScimError } from "@scimgw/scim";

/**
 * Reads the `:id` of /Users/:id or /Groups/:id, which must be an id the directory could have made.
 * Anything else (a NUL, 10 KB of text) is 404, the answer the directory would give, without a
 * call. Routes read it where they call the directory, so a malformed body is still a 400 first.
 */
export function resourceIdReader(resource: "User" | "Group", isResourceId: (id: string) => boolean) {
  return (ctx: { params: Record<string, string | undefined> }): string => {
    const id = ctx.params.id ?? "";
    if (!isResourceId(id)) throw ScimError.status(404, `${resource} not found: ids are UUIDs as the server assigns them`);
    return id;
  };
}
