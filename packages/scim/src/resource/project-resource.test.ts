import { test } from "node:test";
import assert from "node:assert/strict";
import type { AttributePath } from "../schema/attribute-path.js";
import { groupResourceType, userResourceType } from "../schema/resource-types.js";
import { attribute, type ResourceTypeDefinition } from "../schema/schema-definition.js";
import type { ScimResource } from "./json-value.js";
import { parseAttributeList } from "../messages/parse-attribute-list.js";
import { projectResource } from "./project-resource.js";

const enterprise = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";

const user: ScimResource = {
  schemas: ["urn:ietf:params:scim:schemas:core:2.0:User", enterprise],
  id: "u1",
  externalId: "ext-1",
  userName: "bjensen",
  name: { givenName: "Barbara", familyName: "Jensen" },
  password: "t1meMa$heen",
  emails: [{ value: "b@example.com", type: "work", primary: true }],
  [enterprise]: { employeeNumber: "701984", department: "Tour" },
  meta: { resourceType: "User", lastModified: "2011-05-13T04:42:34Z" },
};

function project(attributes?: string, excludedAttributes?: string, resource: ScimResource = user): ScimResource {
  const parse = (text: string | undefined): AttributePath[] | undefined =>
    text === undefined ? undefined : parseAttributeList(text, userResourceType);
  const attributesList = parse(attributes);
  const excludedList = parse(excludedAttributes);
  return projectResource(
    resource,
    { ...(attributesList ? { attributes: attributesList } : {}), ...(excludedList ? { excludedAttributes: excludedList } : {}) },
    userResourceType,
  );
}

test("returned default: everything but password when no lists are given", () => {
  const { password: _password, ...expected } = user;
  assert.deepEqual(project(), expected);
});

test("returned never: password is not returned even when asked for (rfc7643 4.1.1)", () => {
  assert.deepEqual(project("password"), { schemas: user["schemas"], id: "u1" });
});

test("returned always: id and schemas come back with attributes=userName (rfc7644 3.4.2.5)", () => {
  assert.deepEqual(project("userName"), { schemas: user["schemas"], id: "u1", userName: "bjensen" });
});

test("returned always: excludedAttributes cannot remove id (rfc7644 3.4.2.5)", () => {
  const result = project(undefined, "id,userName");
  assert.equal(result["id"], "u1");
  assert.equal(result["userName"], undefined);
  assert.equal(result["externalId"], "ext-1");
});

test("returned default: attributes without it leaves it out", () => {
  assert.equal(project("displayName")["userName"], undefined);
});

test("attributes with a sub-attribute returns only that sub-attribute", () => {
  assert.deepEqual(project("name.familyName,emails.value"), {
    schemas: user["schemas"],
    id: "u1",
    name: { familyName: "Jensen" },
    emails: [{ value: "b@example.com" }],
  });
});

test("excludedAttributes with a sub-attribute removes only it", () => {
  const result = project(undefined, "emails.primary,name.givenName");
  assert.deepEqual(result["emails"], [{ value: "b@example.com", type: "work" }]);
  assert.deepEqual(result["name"], { familyName: "Jensen" });
});

test("extension attributes by URN, and the whole extension", () => {
  assert.deepEqual(project(`${enterprise}:department`)[enterprise], { department: "Tour" });
  assert.deepEqual(project(enterprise)[enterprise], { employeeNumber: "701984", department: "Tour" });
  assert.equal(project(undefined, enterprise)[enterprise], undefined);
  assert.deepEqual(project(undefined, `${enterprise}:department`)[enterprise], { employeeNumber: "701984" });
});

test("meta is returned by default and can be excluded or narrowed", () => {
  assert.equal(project(undefined, "meta")["meta"], undefined);
  assert.deepEqual(project("meta.lastModified")["meta"], { lastModified: "2011-05-13T04:42:34Z" });
});

test("Entra: excludedAttributes=members leaves the group's members out", () => {
  const group = { schemas: ["urn:ietf:params:scim:schemas:core:2.0:Group"], id: "g1", displayName: "Admins", members: [{ value: "u1" }] };
  const result = projectResource(group, { excludedAttributes: [{ attribute: "members" }] }, groupResourceType);
  assert.deepEqual(result, { schemas: group.schemas, id: "g1", displayName: "Admins" });
});

test("attributes not in the schema are not returned", () => {
  assert.equal(project(undefined, undefined, { ...user, secret: "x" })["secret"], undefined);
});

test("returned request: only when named in attributes (rfc7643 7)", () => {
  const withRequest: ResourceTypeDefinition = {
    ...userResourceType,
    schema: {
      ...userResourceType.schema,
      attributes: [
        ...userResourceType.schema.attributes,
        attribute("loginCount", "integer", { returned: "request" }),
        attribute("badge", "complex", {
          subAttributes: [
            attribute("code", "string"),
            attribute("pin", "string", { returned: "never" }),
            attribute("issuer", "string", { returned: "request" }),
          ],
        }),
      ],
    },
  };
  const resource = { ...user, loginCount: 3, badge: { code: "B1", pin: "1234", issuer: "HR" } };
  const run = (attributes?: AttributePath[]) => projectResource(resource, attributes ? { attributes } : {}, withRequest);
  assert.equal(run()["loginCount"], undefined);
  assert.deepEqual(run()["badge"], { code: "B1" });
  assert.equal(run([{ attribute: "loginCount" }])["loginCount"], 3);
  assert.deepEqual(run([{ attribute: "badge" }])["badge"], { code: "B1" });
  assert.deepEqual(
    run([
      { attribute: "badge", subAttribute: "issuer" },
      { attribute: "badge", subAttribute: "pin" },
    ])["badge"],
    { issuer: "HR" },
  );
});
