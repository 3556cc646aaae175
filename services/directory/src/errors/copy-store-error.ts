/** A copy (admin copy-store) that was refused, or that did not verify; the message says what to do about it. */
export class CopyStoreError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "CopyStoreError";
  }
}
