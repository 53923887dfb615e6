// Warm transfer and conference on the agent's desk: Consult an agent or an outside number while
// the customer holds, then Complete transfer, Back to customer, or Conference (all three). The
// consultation's state comes from the live events (call.consult_started / consult_ended,
// call.conferenced); each control's error is shown beside it.
import { api } from "../api.js";
import { $, act, el, setText } from "../helpers.js";
import { t } from "../i18n.js";
import { refused } from "./labels.js";

const CONTROLS = {  // command kind -> [button, its message, path under /api/calls/<id>/, done text]
  consult: ["btn-consult", "msg-consult", "consult", t("Calling…")],
  consult_complete: ["btn-consult-complete", "msg-consult-complete", "consult/complete", t("Transfer completed")],
  consult_back: ["btn-consult-back", "msg-consult-back", "consult/back", t("Back with the customer")],
  conference: ["btn-conference", "msg-conference", "conference", t("All three on the line")],
};

// how a consultation ended (call.consult_ended's outcome)
const ENDINGS = {
  back: t("back with the customer"), transferred: t("transferred"), conferenced: t("conference"), failed: t("failed"),
};

export function startConsult({ callId, log }) {
  let phase = "idle";  // idle | asked | consulting | conference
  let target = null;   // what the consultation calls, as the events name it
  const names = new Map();  // agent id -> name

  const say = (kind, text, bad = false) => {
    const m = $(CONTROLS[kind][1]);
    setText(m, text ?? "");
    m.dataset.kind = bad ? "bad" : "ok";
  };
  const clear = () => Object.keys(CONTROLS).forEach((k) => say(k, ""));
  const send = (kind, body) => {
    clear();
    const [, , path, done] = CONTROLS[kind];
    return act(() => api("POST", `/api/calls/${encodeURIComponent(callId())}/${path}`, body), done, (t, bad) => say(kind, t, bad));
  };
  const targetName = (to) => (to?.target_kind === "number" ? `+${to.target_id}` : names.get(to?.target_id) ?? t("agent %(id)s", { id: to?.target_id }));

  function render(connected) {
    const box = $("consult-box");
    box.hidden = !connected;
    box.dataset.phase = phase;
    const kind = $("consult-kind").value;
    $("consult-agent").hidden = kind !== "agent";
    $("consult-queue").hidden = kind !== "queue";
    $("consult-number").hidden = kind !== "number";
    $("consult-start").hidden = phase !== "idle";
    $("consult-live").hidden = phase === "idle";
    $("btn-consult-complete").disabled = phase !== "consulting";
    $("btn-conference").disabled = phase !== "consulting";
    $("btn-consult-back").disabled = phase !== "consulting";
    const status = {
      asked: target ? t("Calling %(whom)s… the customer is on hold", { whom: targetName(target) })
        : t("Calling the queue's next agent… the customer is on hold"),
      consulting: t("Consulting %(whom)s — the customer is on hold", { whom: targetName(target) }),
      conference: t("Conference with the customer and %(whom)s (Hang up leaves it to them)", { whom: targetName(target) }),
    }[phase];
    setText($("consult-status"), status ?? "");
    $("consult-actions").hidden = phase === "conference";
    // while consulting or in a conference the call's own hold and transfer do not apply
    if (phase !== "idle") ["btn-hold", "btn-resume", "btn-transfer", "transfer-target"].forEach((id) => { $(id).hidden = true; });
  }

  function fill(agents, me, queues) {
    const sel = $("consult-agent");
    if (sel.options.length) return;
    $("consult-queue").append(...queues.map((q) => el("option", { value: q.id }, q.name)));
    agents.forEach((a) => names.set(a.id, a.name));
    sel.append(...agents.filter((a) => a.id !== me).map((a) => el("option", { value: a.id }, a.name)));
  }

  async function start() {
    const kind = $("consult-kind").value;
    const value = { agent: $("consult-agent"), queue: $("consult-queue") }[kind]?.value ?? $("consult-number").value.trim();
    target = kind === "queue" ? null : { target_kind: kind, target_id: kind === "agent" ? value : value.replace(/^\+/, "") };
    const ok = await send("consult", { target_kind: kind, target: value });
    if (ok) phase = "asked";
    render(true);
  }

  function onEvent(m) {
    const p = m.payload ?? {};
    if (m.call_id !== callId()) return false;
    switch (m.type) {
      case "call.consult_started":
        phase = "consulting"; target = p;
        log(t("consulting %(whom)s", { whom: targetName(p) }));
        return true;
      case "call.consult_ended":
        phase = p.outcome === "conferenced" ? "conference" : "idle";
        if (p.outcome === "back") say("consult_back", t("Back with the customer"));
        if (p.outcome === "failed") say("consult", t("The consultation with %(whom)s ended", { whom: targetName(p) }), true);
        log(t("consultation ended: %(outcome)s", { outcome: ENDINGS[p.outcome] ?? p.outcome }));
        return true;
      case "call.conferenced":
        phase = "conference"; target = p;
        log(t("conference with %(whom)s", { whom: targetName(p) }));
        return true;
      case "command.failed":
        if (CONTROLS[p.kind]) {
          say(p.kind, refused(p), true);
          if (p.kind === "consult") phase = "idle";
          return true;
        }
        return false;
      default:
        return false;
    }
  }

  function reset() { phase = "idle"; target = null; clear(); }

  $("consult-kind").onchange = () => render(true);
  $("btn-consult").onclick = start;
  $("btn-consult-complete").onclick = () => send("consult_complete");
  $("btn-consult-back").onclick = () => send("consult_back");
  $("btn-conference").onclick = () => send("conference");
  return { render, fill, onEvent, reset };
}
