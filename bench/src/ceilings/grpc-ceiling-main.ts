// The gRPC half of the architecture's ceiling: a grpc-js server in a process of its own (as the
// directory is) whose one unary handler answers at once with a fixed small message. Prints
// {"port": n} when it listens.
import { Server, ServerCredentials, type sendUnaryData, type ServerUnaryCall } from "@grpc/grpc-js";
import { ceilingBody, trivialService } from "./trivial-service.js";

const answer = Buffer.from(JSON.stringify(ceilingBody));
const server = new Server();
server.addService(trivialService, {
  answer(_call: ServerUnaryCall<Buffer, Buffer>, callback: sendUnaryData<Buffer>) {
    callback(null, answer);
  },
});
server.bindAsync("127.0.0.1:0", ServerCredentials.createInsecure(), (error, port) => {
  if (error !== null) throw error;
  console.log(JSON.stringify({ port }));
});
process.once("SIGTERM", () => server.tryShutdown(() => process.exit(0)));
