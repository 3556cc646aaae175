import { escapeHtml, preEscapedHtml, type Html } from "./html.js";

/** Markdown's `code` and **bold**, as the README writes them; everything else is escaped text. */
export function inlineMarkdown(text: string): Html {
  const parts = text.split("`");
  const markup = parts
    .map((part, i) =>
      i % 2 === 1
        ? `<code>${escapeHtml(part)}</code>`
        : escapeHtml(part).replace(/\*\*(.+?)\*\*/g, (_, bold: string) => `<strong>${bold}</strong>`),
    )
    .join("");
  // Every piece above was escaped before any tag was added.
  return preEscapedHtml(markup);
}
