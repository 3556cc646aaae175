import { ScimError } from "../errors/scim-error.js";

/**
 * The ETag of a resource version (RFC 7644 §3.14), also its `meta.version`: weak, because the
 * representation may vary (projection) while the version does not.
 */
export function versionToEtag(version: bigint): string {
  return `W/"${version}"`;
}

/** Weak or strong ETags as clients send them back: W/"7" or "7" (some clients strip the W/). */
function versionsOf(header: string): Array<bigint | undefined> {
  return header.split(",").map((tag) => {
    const match = /^(?:W\/)?"(\d{1,18})"$/.exec(tag.trim());
    return match?.[1] === undefined ? undefined : BigInt(match[1]);
  });
}

/**
 * The version an `If-Match` header asks for (RFC 7644 §3.14, RFC 7232 §3.1). We issue weak
 * ETags W/"<version>"; a strong "<version>" is accepted too because clients strip the W/.
 * `*` matches any current version, which is the same as no condition. A header naming only
 * ETags we could never have issued can match nothing, so it fails as a stale one would.
 */
export function expectedVersionOf(ifMatch: string | undefined): bigint | undefined {
  if (ifMatch === undefined || ifMatch.trim() === "" || ifMatch.trim() === "*") return undefined;
  const version = versionsOf(ifMatch).find((candidate) => candidate !== undefined);
  if (version === undefined) throw ScimError.status(412, `If-Match ${JSON.stringify(ifMatch)} names no version of this resource.`);
  return version;
}

/** Whether `If-None-Match` names the current version, so a GET can answer 304 (RFC 7232 §3.2). */
export function isNotModified(ifNoneMatch: string | undefined, currentVersion: bigint): boolean {
  if (ifNoneMatch === undefined || ifNoneMatch.trim() === "") return false;
  if (ifNoneMatch.trim() === "*") return true;
  return versionsOf(ifNoneMatch).some((version) => version === currentVersion);
}
