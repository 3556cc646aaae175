import { readFileSync, unwatchFile, watchFile } from "node:fs";
import type { Logger } from "pino";

export interface FollowedCredential {
  /** The credential the file holds now. */
  current(): string;
  close(): void;
}

/**
 * Keeps up with DIRECTORY_CREDENTIAL_FILE: when an operator replaces a revoked credential
 * (`admin bootstrap --gateway-credential-file …` rewrites the file atomically), the gateway uses
 * the new one within a second, without a restart that would drop every IdP's requests. A file
 * that becomes unreadable or malformed keeps the last good credential.
 */
export function followCredentialFile(file: string, initial: string, logger: Logger): FollowedCredential {
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
