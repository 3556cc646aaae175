export { createServiceDefinition, methodPath } from "./service-definition.js";
export { addService } from "./server.js";
export type { CallContext, ServiceImplementation, ServiceImplementationOf, ServerHooks } from "./server.js";
export { createClient, createTransport } from "./client.js";
export type { CallOptions, ServiceClient, Transport, TransportOptions } from "./client.js";
export { RpcError, toRpcError, errorDomain } from "./rpc-error.js";
export type { RpcErrorInit } from "./rpc-error.js";
export { status as Code } from "@grpc/grpc-js";
