/** A refusal whose message is meant for the person using the console: shown as it is, with its status. */
export class ConsoleError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = "ConsoleError";
  }
}
