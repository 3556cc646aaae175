import { ScimError } from "@scimgw/scim";

/**
 * The version an `If-Match` header asks for (RFC 7644 §3.14, RFC 7232 §3.1). We issue weak
 * ETags W/"<version>"; a strong "<version>" is accepted too because clients strip the W/.
 * `*` matches any current version, which is the same as no condition. A header naming only
 * ETags we could never have issued can match nothing, so it fails as a stale one would.
 */
export function expectedVersionOf(ifMatch: string | undefined): bigint | undefined {
  if (ifMatch === undefined || ifMatch.trim() === "" || ifMatch.trim() === "*") return undefined;
  const tags = ifMatch.split(",").map((tag) => tag.trim());
  for (const tag of tags) {
    const match = /^(?:W\/)?"(\d{1,18})"$/.exec(tag);
    if (match?.[1] !== undefined) return BigInt(match[1]);
  }
  throw ScimError.status(412, `If-Match ${JSON.stringify(ifMatch)} names no version of this resource.`);
}
