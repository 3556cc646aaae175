import { readFileSync, unwatchFile, watchFile } from "node:fs";

/** Where a followed file's news goes: a pino logger fits. */
export interface CredentialFileLogger {
  info(fields: Record<string, unknown>, message: string): void;
  warn(fields: Record<string, unknown>, message: string): void;
}

export interface FollowedCredential {
  /** The credential the file holds now. */
  current(): string;
  close(): void;
}

/**
 * Keeps up with DIRECTORY_CREDENTIAL_FILE: when an operator replaces a revoked credential
 * (`admin bootstrap --gateway-credential-file …` or `--console-credential-file …` rewrites the file
 * atomically), the service uses the new one within a second, without a restart that would drop
 * every IdP's requests (the gateway) or every operator's live views (the console). A file that
 * becomes unreadable or malformed keeps the last good credential. Give `current` to
 * createDirectoryClient as its serviceCredential.
 */
export function followCredentialFile(file: string, initial: string, logger: CredentialFileLogger): FollowedCredential {
  let credential = initial;
  // watchFile polls stat by path, so it also sees the file replaced by a rename, unlike fs.watch.
  watchFile(file, { interval: 500, persistent: false }, () => {
    let content: string;
    try {
      content = readFileSync(file, "utf8").trim();
    } catch (error) {
      logger.warn({ file, code: (error as NodeJS.ErrnoException).code }, "cannot read the directory credential file; keeping the last one");
      return;
    }
    if (!/^\S+$/.test(content)) {
      logger.warn({ file }, "the directory credential file does not hold one credential; keeping the last one");
      return;
    }
    if (content !== credential) logger.info({ file }, "directory credential replaced");
    credential = content;
  });
  return { current: () => credential, close: () => unwatchFile(file) };
}
