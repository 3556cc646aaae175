import { test } from "node:test";
import assert from "node:assert/strict";
import { ErrorReason } from "@scimgw/proto";
import { scimTypeStatus, type ScimType } from "@scimgw/scim";
import { reasonOfScimType, scimTypeOfReason } from "./error-reason.js";

test("every scimType of RFC 7644 §3.12 has a reason, and the reason maps back to it", () => {
  for (const scimType of Object.keys(scimTypeStatus) as ScimType[]) {
    const reason = reasonOfScimType(scimType);
    assert.notEqual(reason, ErrorReason.UNSPECIFIED, scimType);
    assert.equal(scimTypeOfReason(reason), scimType);
  }
});

test("reasons that are not SCIM rules carry no scimType", () => {
  for (const reason of [
    ErrorReason.UNSPECIFIED,
    ErrorReason.NOT_FOUND,
    ErrorReason.VERSION_MISMATCH,
    ErrorReason.STORE_BUSY,
    ErrorReason.UNKNOWN_API_KEY,
  ]) {
    assert.equal(scimTypeOfReason(reason), undefined, ErrorReason[reason]);
  }
});
