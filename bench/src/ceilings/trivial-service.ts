import type { ServiceDefinition } from "@grpc/grpc-js";

/**
 * The small JSON body every ceiling answers with: about the size of a user the product returns
 * for GET /Users/{id}, so the ceilings move as many bytes as the product does.
 */
export const ceilingBody = {
  schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"],
  id: "2819c223-7f76-453a-919d-413861904646",
  userName: "bench0@example.com",
  name: { givenName: "Bench", familyName: "User 0" },
  displayName: "Bench User 0",
  emails: [{ value: "bench0@example.com", type: "work", primary: true }],
  active: true,
  meta: { resourceType: "User", version: 'W/"1"' },
};

const passBytes = (value: Buffer): Buffer => value;

/**
 * A unary method whose messages are raw bytes: the ceiling measures grpc-js's transport and a
 * trivial handler, so no protobuf code of ours is in it (the product's messages are small too).
 */
export const trivialService = {
  answer: {
    path: "/scimgw.bench.v1.Ceiling/Answer",
    requestStream: false,
    responseStream: false,
    requestSerialize: passBytes,
    requestDeserialize: passBytes,
    responseSerialize: passBytes,
    responseDeserialize: passBytes,
  },
} satisfies ServiceDefinition;
