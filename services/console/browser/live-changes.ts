import { setLiveState, textRow, trim } from "./live-view.js";

interface ChangeRow {
  seq: string;
  time: string;
  kind: string;
  resource: string;
  attributes: string;
}

/** `<tbody data-live-changes="<stream url>">`: the change feed, latest at the top. */
export function followChanges(root: Document): void {
  const body = root.querySelector<HTMLElement>("tbody[data-live-changes]");
  if (body === null) return;
  const source = new EventSource(body.dataset.liveChanges ?? "");
  source.addEventListener("open", () => setLiveState(null, "Live: changes appear at the top as they commit."));
  source.addEventListener("change", (event) => {
    const change = JSON.parse((event as MessageEvent<string>).data) as ChangeRow;
    body.prepend(textRow([change.seq, change.time, change.kind, change.resource, change.attributes], ["num", "", "", "", ""]));
    trim(body, 500);
  });
  // The view went on from a later change (the earlier ones are no longer kept); it stays live.
  source.addEventListener("notice", (event) => {
    setLiveState(null, (JSON.parse((event as MessageEvent<string>).data) as { message: string }).message);
  });
  source.addEventListener("ended", (event) => {
    setLiveState(null, (JSON.parse((event as MessageEvent<string>).data) as { message: string }).message);
    source.close();
  });
}
