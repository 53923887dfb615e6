// Supervisors' messages on the agent's desk: each one not acknowledged yet, newest last, with an
// "Got it" that acknowledges it (it leaves every desk of the agent). New ones arrive over the page's
// live feed (live.js's "cc:live" batches); the list is read again after every (re)connect.
import { api } from "../api.js";
import { time } from "../format.js";
import { el, errorText, setText } from "../helpers.js";
import { t } from "../i18n.js";

const box = el("section", { id: "desk-messages", class: "desk-messages", hidden: "", "aria-live": "assertive", "aria-label": t("Messages") });
document.querySelector("main")?.prepend(box);

function paint(messages) {
  const seen = new Set(messages.map((m) => m.message_id));
  for (const item of [...box.children]) if (!seen.has(item.dataset.message)) item.remove();
  for (const m of messages) {
    if (box.querySelector(`[data-message="${CSS.escape(m.message_id)}"]`)) continue;
    const when = time(m.sent_at);
    box.append(el("div", { class: "desk-message", dataset: { message: m.message_id }, role: "alert" },
      el("b", {}, `${m.from_user}${m.team ? ` → ${m.team}` : ""} · ${when}`),
      el("span", { class: "desk-message-text" }, m.text),
      el("button", { class: "btn btn-small", dataset: { act: "ack" } }, t("Got it")),
      el("span", { class: "w-error", role: "alert" })));
  }
  box.hidden = box.children.length === 0;
}

async function load() {
  paint((await api("GET", "/api/agent/messages")).messages);
}

box.addEventListener("click", async (e) => {
  const b = e.target.closest('button[data-act="ack"]');
  if (!b) return;
  const item = b.closest(".desk-message");
  b.disabled = true;
  try {
    paint((await api("POST", `/api/agent/messages/${encodeURIComponent(item.dataset.message)}/ack`)).messages);
  } catch (err) {
    setText(item.querySelector(".w-error"), errorText(err));
    b.disabled = false;
  }
});

window.addEventListener("cc:live", (e) => {
  if (e.detail.some((m) => m.t === "event" && m.type?.startsWith("agent.message"))) load().catch(() => {});
});
window.addEventListener("cc:live-open", () => load().catch(() => {}));
load().catch(() => {});
