import { ChangedResourceType, type ChangeEvent } from "@scimgw/proto";

/** What a change-feed event is about, as the change feed page's Resource cell says it. */
export function changedResource(event: Pick<ChangeEvent, "resourceType" | "resourceId" | "catalogType">): string {
  switch (event.resourceType) {
    case ChangedResourceType.USER:
      return `User ${event.resourceId}`;
    case ChangedResourceType.GROUP:
      return `Group ${event.resourceId}`;
    // A catalog entry's id is only unique within its type, so the type is named with it.
    case ChangedResourceType.ENTITLEMENT:
      return `Entitlement ${event.catalogType} / ${event.resourceId}`;
    case ChangedResourceType.ROLE:
      return `Role ${event.catalogType} / ${event.resourceId}`;
    // resource_id is the type's own name.
    case ChangedResourceType.ENTITLEMENT_TYPE:
      return `Catalog type ${event.resourceId}`;
    // resource_id is the extension's URN; changed_attributes names its attributes, not a user's.
    case ChangedResourceType.SCHEMA_EXTENSION:
      return `Schema extension ${event.resourceId}`;
    // A type added to the contract after this console was built: still show what the event names.
    default:
      return event.resourceId;
  }
}
