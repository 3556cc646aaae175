import { Code, ErrorReason, RpcError, type DirectoryClient } from "@scimgw/directory-client";

export type Readiness = { ready: true } | { ready: false; reason: string };

export interface ReadinessOptions {
  /** How long an answer is reused, so frequent probes from several load balancers cost one call. */
  cacheMs?: number;
  /** Deadline of the probe call; a directory slower than this counts as not ready. */
  timeoutMs?: number;
}

/**
 * A key hash no key can have (64 zeros): verifying it passes the directory's credential check and
 * then looks the key up in the store. The expected UNKNOWN_API_KEY answer therefore proves both
 * that the directory accepts our credential and that its store answers, in one cheap call.
 */
const impossibleKeyHash = "0".repeat(64);

/** Why a failed probe means the gateway cannot serve SCIM; `undefined` when the answer proves readiness. */
function notReadyReason(error: unknown): string | undefined {
  if (!(error instanceof RpcError)) return `probe failed: ${error instanceof Error ? error.message : String(error)}`;
  switch (error.reason) {
    // The expected answer: credential accepted, store consulted, no such key.
    case ErrorReason.UNKNOWN_API_KEY:
      return undefined;
    // The operator's fix: `admin bootstrap --gateway-credential-file …` or a new DIRECTORY_CREDENTIAL.
    case ErrorReason.MISSING_SERVICE_CREDENTIAL:
    case ErrorReason.UNKNOWN_SERVICE_CREDENTIAL:
    case ErrorReason.INSUFFICIENT_SCOPE:
    case ErrorReason.TENANT_NOT_GRANTED:
      return `the directory refuses the gateway's credential (${ErrorReason[error.reason]})`;
    default:
      break;
  }
  switch (error.code) {
    // No connection, or the directory is stopping, or its store is down (it answers UNAVAILABLE then).
    case Code.UNAVAILABLE:
      return `directory unavailable: ${error.message}`;
    case Code.DEADLINE_EXCEEDED:
      return "directory did not answer in time";
    default:
      return `directory answered ${Code[error.code]}: ${error.message}`;
  }
}

/**
 * Whether this gateway can serve SCIM now: the directory answers with our credential and its store
 * is reachable. Concurrent probes share one call, and the answer is reused for `cacheMs`.
 */
export function createReadinessCheck(directory: DirectoryClient, { cacheMs = 500, timeoutMs = 2000 }: ReadinessOptions = {}) {
  let latest: { at: number; readiness: Readiness } | undefined;
  let probing: Promise<Readiness> | undefined;
  const probe = async (): Promise<Readiness> => {
    const reason = await directory.apiKeys
      .verifyApiKey({ keySha256: impossibleKeyHash }, { timeoutMs })
      .then(() => "the directory accepted an impossible API key", notReadyReason);
    return reason === undefined ? { ready: true } : { ready: false, reason };
  };
  return (): Promise<Readiness> => {
    if (latest !== undefined && performance.now() - latest.at < cacheMs) return Promise.resolve(latest.readiness);
    probing ??= probe().then((readiness) => {
      latest = { at: performance.now(), readiness };
      probing = undefined;
      return readiness;
    });
    return probing;
  };
}
