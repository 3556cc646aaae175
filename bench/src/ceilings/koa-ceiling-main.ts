// The HTTP half of the ceilings, in a process of its own (as the gateway is): a bare Koa handler
// answering a small JSON body, or, with GRPC_ADDRESS set, a Koa handler that makes one unary call
// to the trivial gRPC handler and answers with what it got: HTTP→Koa→gRPC→trivial answer, the
// least any SCIM read through this architecture can cost. Prints {"port": n} when it listens.
import { credentials, makeGenericClientConstructor } from "@grpc/grpc-js";
import Koa from "koa";
import type { AddressInfo } from "node:net";
import { ceilingBody, trivialService } from "./trivial-service.js";

const grpcAddress = process.env.GRPC_ADDRESS;
const app = new Koa();
if (grpcAddress === undefined) {
  app.use((ctx) => {
    ctx.type = "application/scim+json";
    ctx.body = ceilingBody;
  });
} else {
  const Client = makeGenericClientConstructor(trivialService, "Ceiling");
  const client = new Client(grpcAddress, credentials.createInsecure());
  const request = Buffer.alloc(0);
  const ask = (): Promise<Buffer> =>
    new Promise((resolve, reject) => {
      client.makeUnaryRequest(
        trivialService.answer.path,
        trivialService.answer.requestSerialize,
        trivialService.answer.responseDeserialize,
        request,
        (error, answer) => (error ? reject(error) : resolve(answer ?? Buffer.alloc(0))),
      );
    });
  app.use(async (ctx) => {
    ctx.type = "application/scim+json";
    ctx.body = JSON.parse((await ask()).toString("utf8"));
  });
}
const server = app.listen(0, "127.0.0.1", () => console.log(JSON.stringify({ port: (server.address() as AddressInfo).port })));
process.once("SIGTERM", () => server.close(() => process.exit(0)));
