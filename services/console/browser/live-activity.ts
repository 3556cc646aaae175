import { setLiveState, textRow, trim } from "./live-view.js";

interface ActivityRow {
  time: string;
  status: number;
  request: string;
  idp: string;
  latency: string;
  outcome: string;
}

/** `<tbody data-live-activity="<stream url>">`: new requests appear at the top as the log grows. */
export function followActivity(root: Document): void {
  const body = root.querySelector<HTMLElement>("tbody[data-live-activity]");
  if (body === null) return;
  const source = new EventSource(body.dataset.liveActivity ?? "");
  source.addEventListener("open", () => setLiveState(null, "Live: new requests appear at the top."));
  source.addEventListener("activity", (event) => {
    const entry = JSON.parse((event as MessageEvent<string>).data) as ActivityRow;
    const row = textRow([entry.time, "", "", entry.idp, entry.latency, entry.outcome], ["", "", "", "", "num", ""]);
    // The same cells as the server's rows: the status as a badge, the request as code (text only).
    const badge = document.createElement("span");
    badge.className = `badge ${entry.status >= 500 ? "bad" : entry.status >= 400 ? "warn" : "ok"}`;
    badge.textContent = String(entry.status);
    row.cells[1]?.append(badge);
    const code = document.createElement("code");
    code.textContent = entry.request;
    row.cells[2]?.append(code);
    row.classList.add(entry.status >= 400 ? "row-failed" : "row-ok", "fresh");
    body.prepend(row);
    root.querySelector(".empty-note")?.remove();
    trim(body, 500);
  });
  source.addEventListener("ended", (event) => {
    setLiveState(null, (JSON.parse((event as MessageEvent<string>).data) as { message: string }).message);
    source.close();
  });
}
