/**
 * The largest gRPC message the directory and its clients send or receive, set on both ends from
 * here (grpc-js defaults to 4 MiB on receipt, which a page of large users exceeded: every page of
 * that tenant then failed for ever).
 *
 * The largest message is a page of users: at most 1000 resources (SCIM_MAX_PAGE_SIZE's ceiling) of
 * at most 64 KiB of client-written JSON each (the SCIM core's maxResourceBytes), 64 MiB, which
 * protobuf encodes in less; the server-computed parts (each user's groups, meta) and framing get
 * the same again as headroom. The largest request, a full member list of 100,000 ids, is ~4 MB.
 * A message over this is a bug in those limits, not the caller's fault (the gateway answers 500).
 */
export const maxDirectoryMessageBytes = 128 * 1024 * 1024;

/** The grpc-js channel and server options that apply maxDirectoryMessageBytes both ways. */
export const directoryMessageLimitOptions = {
  "grpc.max_receive_message_length": maxDirectoryMessageBytes,
  "grpc.max_send_message_length": maxDirectoryMessageBytes,
} as const;
