/**
 * A backup (admin backup) that was refused, or whose copy failed its verification; the message says
 * what to do about it. A refusal (a file in the way, a PostgreSQL store) is exit code 2: change
 * the command. A copy that did not verify is 1: nothing was kept, and trying again may work.
 */
export class BackupError extends Error {
  constructor(
    message: string,
    readonly exitCode: 1 | 2,
  ) {
    super(message);
    this.name = "BackupError";
  }
}
