import { invalidValue } from "../errors/directory-errors.js";
import { controlCharacter } from "../tenants/tenant-name.js";

/** The most characters a label has: it names who uses a key in listings and every activity entry. */
export const apiKeyLabelMaxLength = 64;

/**
 * The label a key may have, trimmed: 1 to 64 printable characters (no control or bidi characters,
 * for the same reason as tenant names: labels are shown in terminals and the console). Refuses
 * anything else with INVALID_ARGUMENT (INVALID_VALUE) saying why. The CLI, the API and setup links
 * all issue keys through the store, which applies it.
 */
export function validApiKeyLabel(label: string): string {
  const trimmed = label.trim();
  const length = [...trimmed].length;
  if (length === 0) throw invalidValue("an API key label must not be empty");
  if (length > apiKeyLabelMaxLength)
    throw invalidValue(`an API key label must be at most ${apiKeyLabelMaxLength} characters, not ${length}`);
  if (controlCharacter.test(trimmed)) throw invalidValue("an API key label must not contain control characters");
  return trimmed;
}
