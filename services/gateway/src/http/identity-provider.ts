/** Which identity provider's client sent a request, as far as its User-Agent tells. */
export type IdentityProvider = "okta" | "entra" | "other";

/**
 * Okta's SCIM clients say "Okta SCIM Client 1.0.0" (provisioning) and "OKTA SCIM Integration"
 * (its SPEC test); Microsoft's provisioning service names Azure AD / Microsoft / Entra. Anything
 * else, or no User-Agent, is "other": a small fixed set, so it is safe as a metric label.
 */
export function identityProviderOf(userAgent: string | undefined): IdentityProvider {
  if (userAgent === undefined) return "other";
  if (/\bokta\b/i.test(userAgent)) return "okta";
  if (/azure|microsoft|\bentra\b|\baad\b/i.test(userAgent)) return "entra";
  return "other";
}
