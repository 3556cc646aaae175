import { invalidValue } from "../errors/directory-errors.js";

/** The width of the tenants.name column (migration 0001); PostgreSQL counts it in characters. */
export const tenantNameMaxLength = 200;

/** A tenant id's shape: ids are random UUIDs (randomUUID in the tenant store). */
const tenantIdShape = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Characters a terminal acts on rather than prints (C0, DEL, C1) and those that make text read in
 * another order than it is stored (bidi controls): a name is typed by admins and shown in every listing.
 */
export const controlCharacter = /[\p{Cc}\p{Bidi_Control}]/u;

/**
 * The name a tenant may have, trimmed of surrounding whitespace; refuses anything else with an
 * INVALID_ARGUMENT (INVALID_VALUE) that says why. Admin commands take a tenant as "id or name", so a name shaped
 * like an id could name two tenants at once.
 */
export function validTenantName(name: string): string {
  const trimmed = name.trim();
  if (trimmed === "") throw invalidValue("a tenant name must not be empty");
  if ([...trimmed].length > tenantNameMaxLength)
    throw invalidValue(`a tenant name must be at most ${tenantNameMaxLength} characters, not ${[...trimmed].length}`);
  if (controlCharacter.test(trimmed)) throw invalidValue("a tenant name must not contain control characters");
  if (tenantIdShape.test(trimmed)) throw invalidValue(`a tenant name must not look like a tenant id: "${trimmed}"`);
  return trimmed;
}
