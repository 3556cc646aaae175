// gRPC server reflection (@grpc/reflection, v1 and v1alpha), so grpcurl and similar tools can
// list and call the directory without our .proto files. The descriptors come from the
// protobuf-es generated code: nothing is read from disk and proto-loader is not involved.
import type { Server } from "@grpc/grpc-js";
import { toBinary, type DescFile } from "@bufbuild/protobuf";
import { FileDescriptorProtoSchema } from "@bufbuild/protobuf/wkt";
import { ReflectionService } from "@grpc/reflection";
import { service as healthService } from "grpc-health-check";

/** proto-loader's PackageDefinition, which is all ReflectionService accepts. */
type PackageDefinition = ConstructorParameters<typeof ReflectionService>[0];

/** Adds reflection over `files`, everything they import, and the health service's own file. */
export function addReflectionService(server: Server, files: readonly DescFile[]): void {
  // ReflectionService only reads `fileDescriptorProtos` from each entry and indexes every file it
  // finds by name, so one entry per file (keyed by file name) describes the whole set.
  const definition: PackageDefinition = {};
  for (const file of withImports(files)) {
    definition[file.proto.name] = {
      format: "Protocol Buffer 3 DescriptorProto",
      type: {},
      fileDescriptorProtos: [Buffer.from(toBinary(FileDescriptorProtoSchema, file.proto))],
    };
  }
  // grpc-health-check loads health.proto itself; its message entry carries that file, which is
  // what makes grpc.health.v1.Health appear in list_services.
  const healthFile = healthService["Check"]?.requestType;
  if (healthFile) definition["grpc.health.v1.HealthCheckRequest"] = healthFile;
  new ReflectionService(definition).addToServer(server);
}

/** The files and, transitively, the files they import (the well-known types among them). */
function withImports(files: readonly DescFile[]): DescFile[] {
  const seen = new Map<string, DescFile>();
  const visit = (file: DescFile) => {
    if (seen.has(file.proto.name)) return;
    seen.set(file.proto.name, file);
    file.dependencies.forEach(visit);
  };
  files.forEach(visit);
  return [...seen.values()];
}
