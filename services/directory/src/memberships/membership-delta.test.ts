import { test } from "node:test";
import assert from "node:assert/strict";
import { MembershipDelta } from "./membership-delta.js";

test("the net effect of a write's membership steps, in their order", () => {
  const delta = new MembershipDelta();
  delta.removed(["u0", "u1"]); // remove members u0, u1
  delta.added(["u0", "u2"]); // then add u0 back, and u2
  assert.deepEqual(delta.net(), { added: ["u2"], removed: ["u1"] });

  const addedThenRemoved = new MembershipDelta();
  addedThenRemoved.added(["u3"]);
  addedThenRemoved.removed(["u3"]);
  assert.deepEqual(addedThenRemoved.net(), { added: [], removed: [] }, "a member added and removed in one write was never visible");

  assert.deepEqual(new MembershipDelta().net(), { added: [], removed: [] });
});
