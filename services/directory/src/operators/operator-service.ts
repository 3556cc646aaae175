import type { MessageInitShape } from "@bufbuild/protobuf";
import type { ServiceImplementationOf } from "@scimgw/grpc";
import type { OperatorService, OperatorSessionSchema } from "@scimgw/proto";
import { timestampOfIso } from "../database/timestamps.js";
import { invalidArgument } from "../errors/directory-errors.js";
import { operatorSessionEnded, type OperatorSession, type OperatorSessions } from "./operator-sessions.js";

function sessionMessageOf(session: OperatorSession): MessageInitShape<typeof OperatorSessionSchema> {
  return {
    operator: { id: session.operator.id, email: session.operator.email, createdAt: timestampOfIso(session.operator.createdAt) },
    expiresAt: timestampOfIso(session.expiresAt),
    csrfToken: session.csrfToken,
  };
}

/** OperatorService: the console signs operators in here, and checks their session on every request. */
export function createOperatorService(sessions: OperatorSessions): ServiceImplementationOf<typeof OperatorService> {
  return {
    async startOperatorSession(request, context) {
      // Without it every sign-in would share one address's count, and 20 failures anywhere would lock everyone out.
      if (request.clientAddress.trim() === "") throw invalidArgument("client_address is required: the address the sign-in came from");
      const { token, session } = await sessions.start(request.email, request.password, request.clientAddress, context.signal);
      return { sessionToken: token, session: sessionMessageOf(session) };
    },

    async getOperatorSession(request) {
      const session = await sessions.get(request.sessionToken);
      if (session === undefined) throw operatorSessionEnded();
      return { session: sessionMessageOf(session) };
    },

    async endOperatorSession(request) {
      await sessions.end(request.sessionToken);
      return {};
    },
  };
}
