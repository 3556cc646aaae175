/** An HTTP status as its class, `2xx` to `5xx`: the label that says success or whose fault, in few series. */
export function statusClassOf(status: number): string {
  return `${Math.trunc(status / 100)}xx`;
}
