// The monitoring indicator: while a listen, whisper or barge runs, a bar names the call and the
// agent with a Stop button (POST /api/calls/{id}/spy/stop hangs up the supervisor's spy leg).
// It follows the bridge: call.monitor_started shows a session, call.monitor_stopped (Stop, the
// supervisor hanging up, or the call ending) clears it. A Stop that fails says why beside it.
import { api } from "../api.js";
import { $, el, errorText, setText } from "../helpers.js";
import { t } from "../i18n.js";
import { modeLabel } from "./labels.js";

const sessions = new Map(); // call_id -> {agent, mode, state: "starting" | "active", el}

function paint() {
  const box = $("monitoring");
  box.hidden = sessions.size === 0;
  for (const [callId, s] of sessions) {
    if (!s.el) {
      s.el = el("div", { class: "monitor", dataset: { call: callId } },
        el("span", { class: "monitor-dot" }), el("span", { class: "monitor-text" }),
        el("button", { class: "btn btn-small btn-bad", dataset: { act: "stop" } }, t("Stop")),
        el("span", { class: "w-error", role: "alert" }));
      box.append(s.el);
    }
    s.el.dataset.state = s.state;
    const mode = s.mode ? modeLabel(s.mode) : t("monitoring");
    const what = s.state === "active" ? mode : t("%(mode)s starting: your phone rings", { mode });
    setText(s.el.querySelector(".monitor-text"), t("%(what)s · agent %(agent)s · call %(call)s", { what, agent: s.agent ?? "?", call: callId.slice(-8) }));
  }
}

// The supervisor asked for a session (the spy command was accepted).
export function monitorRequested(callId, agentId, mode) {
  const s = sessions.get(callId) ?? { state: "starting" };
  Object.assign(s, { agent: agentId, mode });
  sessions.set(callId, s);
  paint();
}

// Live events from the bridge.
export function onMonitorEvent(m) {
  if (!m.call_id) return;
  if (m.type === "call.monitor_started") {
    const s = sessions.get(m.call_id) ?? {};
    sessions.set(m.call_id, Object.assign(s, { state: "active", agent: s.agent ?? m.agent_id }));
  } else if (m.type === "call.monitor_stopped") {
    sessions.get(m.call_id)?.el?.remove();
    sessions.delete(m.call_id);
  }
  paint();
}

$("monitoring").addEventListener("click", async (e) => {
  const b = e.target.closest('button[data-act="stop"]');
  if (!b) return;
  const row = b.closest(".monitor");
  const error = row.querySelector(".w-error");
  setText(error, "");
  b.disabled = true;
  try {
    await api("POST", `/api/calls/${encodeURIComponent(row.dataset.call)}/spy/stop`);
  } catch (err) {
    setText(error, errorText(err));
  } finally {
    b.disabled = false;
  }
});
