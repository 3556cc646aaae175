/** The headers of every step of Okta's Runscope suites (its SPEC test and OKTA-ENT-TEST), as they send them. */
export const oktaHeaders = {
  Accept: "application/scim+json",
  "Content-Type": "application/scim+json; charset=utf-8",
  "Accept-Charset": "utf-8",
  "User-Agent": "OKTA SCIM Integration",
};
