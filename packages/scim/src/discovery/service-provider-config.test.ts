import { test } from "node:test";
import assert from "node:assert/strict";
import { bearerTokenAuthentication, serviceProviderConfig, type ServiceProviderFeatures } from "./service-provider-config.js";

// What the gateway implements today.
const gatewayFeatures: ServiceProviderFeatures = {
  patch: true,
  bulk: false,
  filter: { supported: true, maxResults: 200 },
  changePassword: false,
  sort: true,
  etag: true,
};

test("renders the features as RFC 7643 §5 (compare §8.5)", () => {
  assert.deepEqual(serviceProviderConfig(gatewayFeatures, { location: "https://example.com/scim/v2/ServiceProviderConfig" }), {
    schemas: ["urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"],
    patch: { supported: true },
    bulk: { supported: false, maxOperations: 0, maxPayloadSize: 0 },
    filter: { supported: true, maxResults: 200 },
    changePassword: { supported: false },
    sort: { supported: true },
    etag: { supported: true },
    authenticationSchemes: [
      {
        type: "oauthbearertoken",
        name: "OAuth Bearer Token",
        description: "Authentication with a bearer API key issued by the administrator",
        specUri: "https://www.rfc-editor.org/info/rfc6750",
        primary: true,
      },
    ],
    meta: { resourceType: "ServiceProviderConfig", location: "https://example.com/scim/v2/ServiceProviderConfig" },
  });
});

test("has no id (RFC 7643 §5), and no location unless given", () => {
  const document = serviceProviderConfig(gatewayFeatures);
  assert.equal("id" in document, false);
  assert.deepEqual(document["meta"], { resourceType: "ServiceProviderConfig" });
});

test("bulk limits, documentationUri and other schemes come from the features", () => {
  const document = serviceProviderConfig({
    ...gatewayFeatures,
    bulk: { maxOperations: 1000, maxPayloadSize: 1048576 },
    documentationUri: "https://example.com/help/scim.html",
    authenticationSchemes: [{ type: "httpbasic", name: "HTTP Basic", description: "Basic authentication" }],
  });
  assert.deepEqual(document["bulk"], { supported: true, maxOperations: 1000, maxPayloadSize: 1048576 });
  assert.equal(document["documentationUri"], "https://example.com/help/scim.html");
  assert.deepEqual(document["authenticationSchemes"], [{ type: "httpbasic", name: "HTTP Basic", description: "Basic authentication" }]);
});

test("the default scheme is the bearer token one", () => {
  assert.equal(bearerTokenAuthentication.type, "oauthbearertoken");
  assert.deepEqual(serviceProviderConfig(gatewayFeatures)["authenticationSchemes"], [{ ...bearerTokenAuthentication }]);
});
