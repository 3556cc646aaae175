import Table from "cli-table3";

/** A table for a terminal; no colours, so it reads the same when piped to a file or pasted into a ticket. */
export function renderTable(head: string[], rows: Array<Array<string | number | boolean>>): string {
  const rendered = new Table({ head, style: { head: [], border: [] } });
  rendered.push(...rows.map((row) => row.map(String)));
  return `${rendered.toString()}\n`;
}

/** What --json prints: indented for a reader, one document per command. */
export function renderJson(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}
