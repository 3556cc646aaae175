const patchOpSchema = "urn:ietf:params:scim:api:messages:2.0:PatchOp";
const groupSchema = "urn:ietf:params:scim:schemas:core:2.0:Group";

/** Members per PATCH while filling a group: as a big IdP push sends them, about 0.6 MB a request. */
const membersPerPatch = 10_000;

async function scim(baseUrl: string, apiKey: string, method: string, path: string, body: unknown): Promise<{ id?: string }> {
  const response = await fetch(`${baseUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${apiKey}`, "content-type": "application/scim+json", accept: "application/scim+json" },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  if (response.status >= 300) throw new Error(`${method} ${path}: HTTP ${response.status} ${text.slice(0, 500)}`);
  return text === "" ? {} : (JSON.parse(text) as { id?: string });
}

/** Creates a group through the gateway and adds the members in PATCHes of 10,000; returns its id. */
export async function createGroupWith(baseUrl: string, apiKey: string, displayName: string, memberIds: string[]): Promise<string> {
  const created = await scim(baseUrl, apiKey, "POST", "/Groups", { schemas: [groupSchema], displayName, members: [] });
  const groupId = created.id ?? "";
  for (let start = 0; start < memberIds.length; start += membersPerPatch) {
    await scim(baseUrl, apiKey, "PATCH", `/Groups/${groupId}?excludedAttributes=members`, {
      schemas: [patchOpSchema],
      Operations: [{ op: "add", path: "members", value: memberIds.slice(start, start + membersPerPatch).map((value) => ({ value })) }],
    });
  }
  return groupId;
}
