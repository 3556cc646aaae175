// Health and reflection through the real directory server over a real socket, as a load balancer
// or grpcurl would use them.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { fromBinary } from "@bufbuild/protobuf";
import { FileDescriptorProtoSchema } from "@bufbuild/protobuf/wkt";
import { BinaryReader, BinaryWriter } from "@bufbuild/protobuf/wire";
import { Client, credentials, makeGenericClientConstructor, ServerCredentials, type Server, type ServiceError } from "@grpc/grpc-js";
import { service as healthService } from "grpc-health-check";
import { pino } from "pino";
import { createDirectoryServer, markNotServing } from "../create-directory-server.js";
import { storesUnderTest, type TemporaryDatabase } from "../test-support/stores-under-test.js";

const ourServices = [
  "scimgw.directory.v1.UserService",
  "scimgw.directory.v1.GroupService",
  "scimgw.directory.v1.ChangeService",
  "scimgw.directory.v1.ApiKeyService",
];

/** grpc-health-check ships the service definition but no client; grpc-js builds one from it. */
const HealthClient = makeGenericClientConstructor(healthService, "Health");

async function start(database: TemporaryDatabase): Promise<{ server: Server; address: string }> {
  const server = createDirectoryServer({ db: database.db, logger: pino({ level: "silent" }) });
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync("127.0.0.1:0", ServerCredentials.createInsecure(), (error, bound) => (error ? reject(error) : resolve(bound))),
  );
  return { server, address: `127.0.0.1:${port}` };
}

/** The generic client's Check, as grpc-health-check's proto-loader options shape it (enums as strings). */
type HealthCheck = (request: { service: string }, callback: (error: ServiceError | null, response?: { status: string }) => void) => void;

function check(client: Client, service: string): Promise<string> {
  const call = (client as unknown as { Check: HealthCheck }).Check.bind(client);
  return new Promise((resolve, reject) => call({ service }, (error, response) => (error ? reject(error) : resolve(response!.status))));
}

// No generated types exist for grpc.reflection.*, so the few fields used here are encoded by hand.
// ServerReflectionRequest: 4 file_containing_symbol, 7 list_services (both strings).
// ServerReflectionResponse: 4 file_descriptor_response { 1 repeated bytes file_descriptor_proto },
// 6 list_services_response { 1 repeated ServiceResponse { 1 name } }, 7 error_response { 2 error_message }.
type ReflectionRequest = { listServices: string } | { fileContainingSymbol: string };
interface ReflectionResponse {
  services: string[];
  files: Uint8Array[];
  error?: string;
}

function encodeRequest(request: ReflectionRequest): Buffer {
  const writer = new BinaryWriter();
  if ("listServices" in request) writer.tag(7, 2).string(request.listServices);
  else writer.tag(4, 2).string(request.fileContainingSymbol);
  return Buffer.from(writer.finish());
}

function decodeResponse(bytes: Buffer): ReflectionResponse {
  const response: ReflectionResponse = { services: [], files: [] };
  const fields = (reader: BinaryReader, end: number, onField: (field: number, reader: BinaryReader) => boolean) => {
    while (reader.pos < end) {
      const [field, wireType] = reader.tag();
      if (!onField(field, reader)) reader.skip(wireType);
    }
  };
  const reader = new BinaryReader(bytes);
  fields(reader, reader.len, (field) => {
    if (field === 4) {
      const end = reader.uint32() + reader.pos;
      fields(reader, end, (inner) => inner === 1 && (response.files.push(reader.bytes()), true));
    } else if (field === 6) {
      const end = reader.uint32() + reader.pos;
      fields(reader, end, (inner) => {
        if (inner !== 1) return false;
        const serviceEnd = reader.uint32() + reader.pos;
        fields(reader, serviceEnd, (name) => name === 1 && (response.services.push(reader.string()), true));
        return true;
      });
    } else if (field === 7) {
      const end = reader.uint32() + reader.pos;
      fields(reader, end, (inner) => inner === 2 && ((response.error = reader.string()), true));
    } else return false;
    return true;
  });
  return response;
}

function reflect(client: Client, version: "v1" | "v1alpha", request: ReflectionRequest): Promise<ReflectionResponse> {
  const call = client.makeBidiStreamRequest(
    `/grpc.reflection.${version}.ServerReflection/ServerReflectionInfo`,
    encodeRequest,
    decodeResponse,
  );
  return new Promise((resolve, reject) => {
    call.once("data", (response: ReflectionResponse) => {
      call.cancel();
      resolve(response);
    });
    call.once("error", (error: ServiceError) => reject(error));
    call.write(request);
    call.end();
  });
}

const sqlite = storesUnderTest[0]!;

describe("directory operations services", () => {
  let database: TemporaryDatabase;
  let server: Server;
  let client: Client;

  before(async () => {
    database = await sqlite.open();
    let address: string;
    ({ server, address } = await start(database));
    client = new HealthClient(address, credentials.createInsecure());
  });
  after(async () => {
    client.close();
    server.forceShutdown();
    await database.dispose();
  });

  test("health reports the server and each of our services SERVING while the database answers", async () => {
    for (const service of ["", ...ourServices]) assert.equal(await check(client, service), "SERVING", service);
  });

  test("health answers NOT_FOUND for a service the directory does not have", async () => {
    await assert.rejects(check(client, "scimgw.directory.v1.Nope"), { code: 5 });
  });

  for (const version of ["v1", "v1alpha"] as const) {
    test(`reflection ${version} lists our services and the health service`, async () => {
      const { services, error } = await reflect(client, version, { listServices: "*" });
      assert.equal(error, undefined);
      for (const name of [...ourServices, "grpc.health.v1.Health"]) assert.ok(services.includes(name), `${name} in ${services.join(", ")}`);
    });
  }

  test("reflection returns UserService's file with everything it imports", async () => {
    const { files, error } = await reflect(client, "v1", { fileContainingSymbol: "scimgw.directory.v1.UserService" });
    assert.equal(error, undefined);
    const [first, ...imports] = files.map((bytes) => fromBinary(FileDescriptorProtoSchema, bytes));
    assert.equal(first?.name, "scimgw/directory/v1/user_service.proto");
    assert.deepEqual(first?.service.map((service) => service.name), ["UserService"]);
    const importNames = imports.map((file) => file.name);
    for (const name of ["scimgw/directory/v1/user.proto", "google/protobuf/struct.proto", "google/protobuf/timestamp.proto"]) {
      assert.ok(importNames.includes(name), `${name} in ${importNames.join(", ")}`);
    }
  });

  test("reflection knows the google.rpc error details", async () => {
    const { files, error } = await reflect(client, "v1", { fileContainingSymbol: "google.rpc.ErrorInfo" });
    assert.equal(error, undefined);
    assert.equal(fromBinary(FileDescriptorProtoSchema, files[0]!).name, "google/rpc/error_details.proto");
  });

  // Last: shutdown is permanent for this server.
  test("health reports NOT_SERVING once shutdown starts", async () => {
    markNotServing(server);
    for (const service of ["", ...ourServices]) assert.equal(await check(client, service), "NOT_SERVING", service);
  });
});

describe("directory health without a database", () => {
  test("reports NOT_SERVING when the database does not answer", async () => {
    const database = await sqlite.open();
    const { server, address } = await start(database);
    const client = new HealthClient(address, credentials.createInsecure());
    try {
      await database.db.destroy();
      assert.equal(await check(client, ""), "NOT_SERVING");
      assert.equal(await check(client, "scimgw.directory.v1.UserService"), "NOT_SERVING");
    } finally {
      client.close();
      server.forceShutdown();
      await database.dispose();
    }
  });
});
