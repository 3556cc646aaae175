/** Buttons `data-copy="<id>"` (rendered hidden, shown here) copy that element's text to the clipboard and say so. */
export function enableCopyButtons(root: Document): void {
  for (const button of root.querySelectorAll<HTMLButtonElement>("button[data-copy]")) {
    button.addEventListener("click", async () => {
      const source = root.getElementById(button.dataset.copy ?? "");
      const status = button.parentElement?.querySelector<HTMLElement>(".copied");
      if (source === null) return;
      const text = source.textContent ?? "";
      try {
        await navigator.clipboard.writeText(text);
        if (status) status.textContent = "Copied.";
      } catch {
        // No clipboard permission (an insecure origin, say): select the text for Ctrl+C instead.
        const range = root.createRange();
        range.selectNodeContents(source);
        root.getSelection()?.removeAllRanges();
        root.getSelection()?.addRange(range);
        if (status) status.textContent = "Selected: press Ctrl+C (⌘C) to copy.";
      }
      button.dataset.copied = text;
    });
    // Rendered hidden: shown once a click does something.
    button.hidden = false;
  }
}
