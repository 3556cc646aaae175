import { readFileSync } from "node:fs";
import { ConfigError } from "@scimgw/config";

/** The two settings a directory client may name its service credential by. */
export interface CredentialSettings {
  DIRECTORY_CREDENTIAL?: string | undefined;
  DIRECTORY_CREDENTIAL_FILE?: string | undefined;
}

/**
 * A directory client's service credential, under the names every client of ours reads: the
 * secret itself in DIRECTORY_CREDENTIAL, or a file holding it in DIRECTORY_CREDENTIAL_FILE (what
 * `scimgw-admin bootstrap` writes; followCredentialFile then picks up a replaced one). Exactly one
 * must be set. `needs` says what the service needs ("the gateway needs a read-write service
 * credential"), `help` how to issue one; both go into the ConfigError.
 */
export function credentialFromSettings(settings: CredentialSettings, needs: string, help: string): string {
  const { DIRECTORY_CREDENTIAL: credential, DIRECTORY_CREDENTIAL_FILE: file } = settings;
  if (credential !== undefined && file !== undefined) {
    throw new ConfigError(["DIRECTORY_CREDENTIAL and DIRECTORY_CREDENTIAL_FILE: set one, not both"]);
  }
  if (credential !== undefined) return credential;
  if (file === undefined) throw new ConfigError([`DIRECTORY_CREDENTIAL or DIRECTORY_CREDENTIAL_FILE: ${needs} for the directory; ${help}`]);
  let content: string;
  try {
    content = readFileSync(file, "utf8").trim();
  } catch (error) {
    throw new ConfigError([`DIRECTORY_CREDENTIAL_FILE: cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? String(error)})`]);
  }
  if (!/^\S+$/.test(content)) throw new ConfigError([`DIRECTORY_CREDENTIAL_FILE: ${file} must hold one credential; ${help}`]);
  return content;
}
