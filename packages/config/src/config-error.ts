/**
 * Settings that failed validation, each problem naming the setting as the user wrote it, so a bad
 * deployment stops with a message that says what to fix. Services exit with code 2 on it.
 */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid settings:\n${problems.map((problem) => `  - ${problem}`).join("\n")}`);
    this.name = "ConfigError";
  }
}
