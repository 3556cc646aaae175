// A client for the directory's operations services (standard health and server reflection):
// what grpcurl does for `list` and `grpc.health.v1.Health/Check`, without needing grpcurl. Used
// by `pnpm directory:probe` and by the operations tests.
import { BinaryReader, BinaryWriter } from "@bufbuild/protobuf/wire";
import {
  credentials as grpcCredentials,
  makeGenericClientConstructor,
  type Client,
  type ChannelCredentials,
  type ServiceError,
} from "@grpc/grpc-js";
import { service as healthService } from "grpc-health-check";

/** grpc-health-check ships the service definition but no client; grpc-js builds one from it. */
export const HealthClient = makeGenericClientConstructor(healthService, "Health");

/** The generic client's Check, as grpc-health-check's proto-loader options shape it (enums as strings). */
type HealthCheck = (request: { service: string }, callback: (error: ServiceError | null, response?: { status: string }) => void) => void;

export function checkHealth(client: Client, service: string): Promise<string> {
  const call = (client as unknown as { Check: HealthCheck }).Check.bind(client);
  return new Promise((resolve, reject) =>
    call({ service }, (error, response) => {
      if (error) reject(error);
      else if (response === undefined) reject(new Error("Health/Check answered with neither an error nor a response"));
      else resolve(response.status);
    }),
  );
}

// No generated types exist for grpc.reflection.*, so the few fields used here are encoded by hand.
// ServerReflectionRequest: 4 file_containing_symbol, 7 list_services (both strings).
// ServerReflectionResponse: 4 file_descriptor_response { 1 repeated bytes file_descriptor_proto },
// 6 list_services_response { 1 repeated ServiceResponse { 1 name } }, 7 error_response { 2 error_message }.
export type ReflectionRequest = { listServices: string } | { fileContainingSymbol: string };
export interface ReflectionResponse {
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
      fields(reader, end, (inner) => {
        if (inner !== 1) return false;
        response.files.push(reader.bytes());
        return true;
      });
    } else if (field === 6) {
      const end = reader.uint32() + reader.pos;
      fields(reader, end, (inner) => {
        if (inner !== 1) return false;
        const serviceEnd = reader.uint32() + reader.pos;
        fields(reader, serviceEnd, (name) => {
          if (name !== 1) return false;
          response.services.push(reader.string());
          return true;
        });
        return true;
      });
    } else if (field === 7) {
      const end = reader.uint32() + reader.pos;
      fields(reader, end, (inner) => {
        if (inner !== 2) return false;
        response.error = reader.string();
        return true;
      });
    } else return false;
    return true;
  });
  return response;
}

export function reflect(client: Client, version: "v1" | "v1alpha", request: ReflectionRequest): Promise<ReflectionResponse> {
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

/** A client of the health and reflection services at `address`. */
export function connectProbe(address: string, credentials: ChannelCredentials = grpcCredentials.createInsecure()): Client {
  return new HealthClient(address, credentials);
}
