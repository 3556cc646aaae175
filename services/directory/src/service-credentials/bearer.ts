/** The call metadata that presents a service credential, as createTransport's `metadata` takes it. */
export function bearer(credential: string): Record<string, string> {
  return { authorization: `Bearer ${credential}` };
}
