import { setLiveState, trim } from "./live-view.js";

interface PortalRequest {
  time: string;
  method: string;
  path: string;
  status: number;
  detail: string;
  explained?: { kind: "failure" | "expected"; title: string; cause: string; fix: string };
}

/** The README's inline Markdown, read as plain text here: backticks and bold markers dropped. */
const plain = (text: string) => text.replace(/\*\*|`/g, "");

function paragraph(text: string, className?: string): HTMLParagraphElement {
  const p = document.createElement("p");
  if (className) p.className = className;
  p.textContent = text;
  return p;
}

/** `data-checklist="<stream url>"`: ticks the setup steps and lists each request, with what to change when it failed, without a reload. */
export function followChecklist(root: Document): void {
  const section = root.querySelector<HTMLElement>("[data-checklist]");
  if (section === null) return;
  const list = section.querySelector<HTMLElement>("#requests");
  const source = new EventSource(section.dataset.checklist ?? "");
  source.addEventListener("open", () => setLiveState(section, "Listening for requests: this list updates by itself."));
  source.addEventListener("step", (event) => {
    const { step } = JSON.parse((event as MessageEvent<string>).data) as { step: string };
    const item = root.getElementById(`step-${step}`);
    if (item === null || item.dataset.done === "true") return;
    item.dataset.done = "true";
    const state = item.querySelector(".step-state");
    if (state) state.textContent = "done";
  });
  source.addEventListener("request", (event) => {
    const request = JSON.parse((event as MessageEvent<string>).data) as PortalRequest;
    if (list === null) return;
    const item = document.createElement("li");
    const failed = request.explained?.kind === "failure";
    item.className = failed ? "failed fresh" : "passed fresh";
    const head = document.createElement("p");
    const badge = document.createElement("span");
    badge.className = `badge ${request.status >= 400 && failed ? "warn" : "ok"}`;
    badge.textContent = String(request.status);
    const code = document.createElement("code");
    code.textContent = `${request.method} ${request.path}`;
    head.append(badge, " ", code, ` ${request.time.replace("T", " ").replace(/\.\d+Z$/, "Z")}`);
    item.append(head);
    if (request.explained) {
      const explain = paragraph(`${plain(request.explained.title)}: ${plain(request.explained.cause)}.`, "explain");
      item.append(explain);
      if (failed) item.append(paragraph(`What to change: ${plain(request.explained.fix)}.`, "explain"));
      if (request.detail !== "") item.append(paragraph(`The gateway answered: “${request.detail}”`, "detail"));
    }
    list.prepend(item);
    root.getElementById("no-requests")?.remove();
    trim(list, 50);
  });
  source.addEventListener("ended", (event) => {
    setLiveState(section, (JSON.parse((event as MessageEvent<string>).data) as { message: string }).message);
    source.close();
  });
}
