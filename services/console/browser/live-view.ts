/** Shared by the live views: the status line of a section, and a row of text cells. */
export function setLiveState(container: Element | null, text: string): void {
  const state = container?.querySelector<HTMLElement>(".live-state") ?? document.querySelector<HTMLElement>(".live-state");
  if (state) state.textContent = text;
}

/** A table row of plain text cells: every value from the server is set as text, never as markup. */
export function textRow(cells: string[], classes: string[] = []): HTMLTableRowElement {
  const row = document.createElement("tr");
  cells.forEach((cell, i) => {
    const td = document.createElement("td");
    const cls = classes[i];
    if (cls) td.className = cls;
    td.textContent = cell;
    row.append(td);
  });
  return row;
}

/** Keeps a live list from growing without end. */
export function trim(parent: Element, max: number): void {
  while (parent.children.length > max) parent.lastElementChild?.remove();
}
