import type { GroupPatchStep, PatchOperation } from "@scimgw/scim";

/** How big a group PATCH is: what its cost in the directory grows with. */
export interface GroupPatchSize {
  operations: number;
  /** Member ids named over all operations; removing all members names none. */
  memberValues: number;
}

/** The size of a group PATCH, from its operations and the SCIM core's split of them into steps. */
export function groupPatchSizeOf(operations: readonly PatchOperation[], steps: readonly GroupPatchStep[]): GroupPatchSize {
  let memberValues = 0;
  for (const step of steps) {
    if (step.kind === "members" && step.change.kind !== "removeAll") memberValues += step.change.ids.length;
  }
  return { operations: operations.length, memberValues };
}
