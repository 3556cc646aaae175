/**
 * A fragment of HTML that is safe to insert as it is: made only by the `html` template (or
 * `trustedHtml` for constant markup), never from a value. The private field makes a look-alike
 * object from elsewhere (e.g. a parsed JSON value) not an Html.
 */
export class Html {
  readonly #markup: string;
  constructor(markup: string, brand: typeof secret) {
    if (brand !== secret) throw new Error("Html is made by the html template only");
    this.#markup = markup;
  }
  toString(): string {
    return this.#markup;
  }
}

const secret = Symbol("html");

const escapes: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;", "`": "&#96;" };

/** Text as HTML text or as a quoted attribute's value: every character that could end either is escaped. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"'`]/g, (character) => escapes[character] ?? character);
}

/** An interpolated value: an Html fragment as it is, a list joined, nothing for null/undefined/false, anything else escaped text. */
function render(value: unknown): string {
  if (value instanceof Html) return value.toString();
  if (Array.isArray(value)) return value.map(render).join("");
  if (value === undefined || value === null || value === false) return "";
  return escapeHtml(String(value));
}

/**
 * The console's only way to make markup: every interpolated value is escaped unless it is itself
 * an `html` fragment, so a value from an identity provider (a userName of `<img src=x onerror=…>`)
 * is always text. Attribute values must be quoted in the template.
 */
export function html(strings: TemplateStringsArray, ...values: unknown[]): Html {
  let markup = strings[0] ?? "";
  for (let i = 0; i < values.length; i++) markup += render(values[i]) + (strings[i + 1] ?? "");
  return new Html(markup, secret);
}

/** A document: the doctype and the page's markup, as the response body. */
export function documentOf(page: Html): string {
  return `<!doctype html>\n${page.toString()}`;
}

/**
 * Markup built by the caller from escapeHtml'd pieces (the README's inline Markdown): the one
 * door past escaping, so its callers are few and each escapes every piece it takes from a value.
 */
export function preEscapedHtml(markup: string): Html {
  return new Html(markup, secret);
}
