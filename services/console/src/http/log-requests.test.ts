import assert from "node:assert/strict";
import { test } from "node:test";
import { loggedPath } from "./log-requests.js";

test("a setup link's token never reaches the log", () => {
  assert.equal(loggedPath("/setup/scimgw_setup_abc123/okta/events"), "/setup/…/okta/events");
  assert.equal(loggedPath("/setup/scimgw_setup_abc123"), "/setup/…");
  assert.equal(loggedPath("/tenants/x/users"), "/tenants/x/users");
});
