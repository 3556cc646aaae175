import { createHash, timingSafeEqual } from "node:crypto";

/**
 * Compares a CSRF token sent with a request with the session's in constant time: both are hashed
 * first so that their lengths cannot differ, and timingSafeEqual then takes the same time for any
 * pair.
 */
export function csrfTokenMatches(sent: string | undefined, expected: string): boolean {
  if (sent === undefined || sent === "" || expected === "") return false;
  const digest = (value: string) => createHash("sha256").update(value).digest();
  return timingSafeEqual(digest(sent), digest(expected));
}
