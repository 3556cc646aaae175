/** Query parameters whose values say how a client asks, never what about (RFC 7644 §3.4.2, §3.9). */
const shownParameters = new Set(["attributes", "excludedattributes", "sortby", "sortorder", "startindex", "count"]);

/** Room for any honest query; a longer one is cut, so a hostile one cannot bloat the log. */
const maxLength = 512;

/**
 * A filter with its compared values replaced: `userName eq "alice@example.com"` becomes
 * `userName eq "…"`. The attribute paths and operators stay, which is what tells an IdP's
 * behaviour; strings and numbers are people's data. true, false and null are kept: they are
 * part of the question (`active eq true`), not anybody's data.
 */
export function redactFilter(filter: string): string {
  return (
    filter
      // A string runs to its closing quote, or to the end if it has none.
      .replace(/"(?:[^"\\]|\\.?)*("|$)/g, (_string, close: string) => `"…${close}`)
      .replace(/\b(eq|ne|co|sw|ew|gt|ge|lt|le)(\s+)(?!"|true\b|false\b|null\b)[^\s)\]]+/gi, "$1$2…")
  );
}

/**
 * The query string as an access log shows it: paging, sorting and attribute lists as sent, the
 * filter redacted, any other parameter's value hidden (it may be a secret sent by mistake).
 */
export function redactQuery(querystring: string): string {
  if (querystring === "") return "";
  const shown: string[] = [];
  for (const [name, value] of new URLSearchParams(querystring)) {
    const key = name.toLowerCase();
    shown.push(`${name}=${key === "filter" ? redactFilter(value) : shownParameters.has(key) ? value : "…"}`);
  }
  const redacted = shown.join("&");
  return redacted.length > maxLength ? `${redacted.slice(0, maxLength)}…` : redacted;
}
