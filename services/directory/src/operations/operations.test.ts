// Health and reflection through the real directory server over a real socket, as a load balancer
// or grpcurl would use them.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { fromBinary } from "@bufbuild/protobuf";
import { FileDescriptorProtoSchema } from "@bufbuild/protobuf/wkt";
import { ServerCredentials, type Client, type Server } from "@grpc/grpc-js";
import type { Knex } from "knex";
import { pino } from "pino";
import { openDatabase } from "../database/open-database.js";
import { createDirectoryServer, markNotServing } from "../create-directory-server.js";
import { storesUnderTest, type TemporaryDatabase } from "../test-support/stores-under-test.js";
import { checkHealth as check, connectProbe, reflect } from "./directory-probe.js";

const ourServices = [
  "scimgw.directory.v1.UserService",
  "scimgw.directory.v1.GroupService",
  "scimgw.directory.v1.ChangeService",
  "scimgw.directory.v1.ApiKeyService",
];

async function start(db: Knex): Promise<{ server: Server; address: string }> {
  const server = createDirectoryServer({ db, logger: pino({ level: "silent" }) });
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync("127.0.0.1:0", ServerCredentials.createInsecure(), (error, bound) => (error ? reject(error) : resolve(bound))),
  );
  return { server, address: `127.0.0.1:${port}` };
}

for (const storeUnderTest of storesUnderTest) {
  describe(`directory operations services on ${storeUnderTest.name}`, () => {
    let database: TemporaryDatabase;
    let server: Server;
    let client: Client;

    before(async () => {
      database = await storeUnderTest.open();
      let address: string;
      ({ server, address } = await start(database.db));
      client = connectProbe(address);
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
        for (const name of [...ourServices, "grpc.health.v1.Health"])
          assert.ok(services.includes(name), `${name} in ${services.join(", ")}`);
      });
    }

    test("reflection returns UserService's file with everything it imports", async () => {
      const { files, error } = await reflect(client, "v1", { fileContainingSymbol: "scimgw.directory.v1.UserService" });
      assert.equal(error, undefined);
      const [first, ...imports] = files.map((bytes) => fromBinary(FileDescriptorProtoSchema, bytes));
      assert.equal(first?.name, "scimgw/directory/v1/user_service.proto");
      assert.deepEqual(
        first?.service.map((service) => service.name),
        ["UserService"],
      );
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

  describe(`directory health without a database on ${storeUnderTest.name}`, () => {
    test("reports NOT_SERVING when the database does not answer", async () => {
      const database = await storeUnderTest.open();
      // A connection pool of the server's own, so the database itself stays reachable for cleanup.
      const serversDb = openDatabase(database.location);
      const { server, address } = await start(serversDb);
      const client = connectProbe(address);
      try {
        await serversDb.destroy();
        assert.equal(await check(client, ""), "NOT_SERVING");
        assert.equal(await check(client, "scimgw.directory.v1.UserService"), "NOT_SERVING");
      } finally {
        client.close();
        server.forceShutdown();
        await database.dispose();
      }
    });
  });
}
