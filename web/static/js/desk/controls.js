// The desk's call controls (issue 17): mute, the keypad (tones to the customer's side),
// transfer to an outside number, and dialling a number by hand with its preview and the audited
// override of a customer's do-not-call flag or calling hours. Each control says how it went
// beside itself: the API's answer at once, then the phone system's (the command's outcome and
// the call's events from the live feed). They act on the call in Asterisk (AMI), so they work
// the same with the browser phone and with a desk phone.
import { api } from "../api.js";
import { $, el, errorText, setText } from "../helpers.js";
import { t } from "../i18n.js";
import { refused, tierLabel } from "./labels.js";

// the refusals a reason overrode, and why an outbound call failed (call.failed's reason)
const REFUSALS = { do_not_call: t("do not call"), calling_hours: t("calling hours") };
const FAILURES = {
  no_answer: t("no answer"), busy: t("busy"), failed: t("failed"), congestion: t("congestion"),
  invalid: t("number not valid"), rejected: t("rejected"),
};

export function startControls({ log }) {
  let callId = null;        // the connected call the in-call controls act on
  let muted = false;        // the agent's voice is off on callId (call.muted / call.unmuted)
  let tones = 0;            // tones sent on callId (call.dtmf_sent counts)
  let dialled = null;       // {call_id, number}: the last manual dial
  const pending = new Map();  // command id -> message id beside the control that sent it

  const beside = (id, text, bad = false) => {
    const m = $(id);
    setText(m, text ?? "");
    m.dataset.kind = bad ? "bad" : "ok";
  };
  const callPath = (what) => `/api/calls/${encodeURIComponent(callId)}/${what}`;

  // A command was accepted by the web; its outcome (command.failed) is shown beside `msgId`.
  async function send(msgId, fn, sent) {
    try {
      const out = await fn();
      if (out?.command_id) pending.set(out.command_id, msgId);
      if (sent) beside(msgId, sent);
      return out;
    } catch (err) {
      beside(msgId, errorText(err), true);
      return null;
    }
  }

  function renderMute() {
    const b = $("btn-mute");
    b.setAttribute("aria-pressed", String(muted));
    setText(b, muted ? t("Unmute") : t("Mute"));
  }

  $("btn-mute").onclick = () => send("msg-mute", () => api("POST", callPath("mute"), { muted: !muted }),
    muted ? t("unmuting…") : t("muting…"));
  for (const key of document.querySelectorAll("#keypad .key")) {
    key.onclick = () => send("msg-keypad", () => api("POST", callPath("dtmf"), { digits: key.dataset.key }));
  }
  $("btn-xfer-number").onclick = () => {
    const target = $("xfer-number").value.trim();
    if (!target) { beside("msg-xfer-number", t("target: type the number to transfer to"), true); return; }
    send("msg-xfer-number", () => api("POST", callPath("transfer"), { target_kind: "number", target }),
      t("transferring…"));
  };

  // Dialling: the preview shows the customer and what would stop the dial; a refused dial
  // (do not call, calling hours) asks for a reason and may then be dialled anyway.
  function showPreview(p) {
    $("dial-preview").hidden = false;
    const c = p.customer;
    setText($("dial-cust-name"), c?.name ?? t("Not a known customer"));
    $("dial-cust-tier").hidden = !c;
    if (c) { $("dial-cust-tier").dataset.tier = c.tier; setText($("dial-cust-tier"), tierLabel(c.tier)); }
    setText($("dial-cust-phone"), c?.phone_masked ?? p.number);
    $("dial-refusals").replaceChildren(...p.refusals.map((r) => el("li", { dataset: { reason: r.reason } }, r.message)));
    $("dial-override").hidden = p.refusals.length === 0;
  }

  // keep: the message beside the box stays (the refused dial's own)
  async function preview(keep = false) {
    const number = $("dial-number").value.trim();
    if (!number) { beside("msg-dial", t("number: type a number"), true); return null; }
    try {
      const p = await api("POST", "/api/agent/dial/preview", { number });
      showPreview(p);
      if (!keep) beside("msg-dial", p.refusals.length ? t("Give a reason to dial anyway") : "", p.refusals.length > 0);
      return p;
    } catch (err) {
      $("dial-preview").hidden = true;
      beside("msg-dial", errorText(err), true);
      return null;
    }
  }

  async function dial() {
    const number = $("dial-number").value.trim();
    const reason = $("dial-override-reason").value.trim();
    const body = { number };
    if (reason) body.override_reason = reason;
    try {
      const out = await api("POST", "/api/agent/dial", body);
      dialled = { call_id: out.call_id, number: out.number };
      pending.set(out.command_id, "msg-dial");
      const over = out.overridden.map((r) => REFUSALS[r] ?? r.replaceAll("_", " ")).join(t(", "));
      beside("msg-dial", over ? t("Dialling %(number)s (override: %(over)s): your phone rings when the customer answers", { number: out.number, over })
        : t("Dialling %(number)s: your phone rings when the customer answers", { number: out.number }));
      log(t("dialling %(number)s", { number: out.number }));
      $("dial-override-reason").value = "";
      $("dial-preview").hidden = true;
      $("dial-override").hidden = true;
    } catch (err) {
      beside("msg-dial", errorText(err), true);
      if (err.status === 409 && err.field === "number") preview(true);
    }
  }

  $("btn-dial-preview").onclick = () => preview();
  $("dial-form").onsubmit = (e) => { e.preventDefault(); dial(); };
  $("dial-number").oninput = () => { $("dial-preview").hidden = true; $("dial-override").hidden = true; beside("msg-dial", ""); };

  return {
    // The call the in-call controls act on: the connected call's id, or null.
    render(connectedCallId) {
      if (connectedCallId !== callId) {
        callId = connectedCallId;
        muted = false;
        tones = 0;
        for (const id of ["msg-mute", "msg-keypad", "msg-xfer-number"]) beside(id, "");
        $("xfer-number").value = "";
      }
      $("incall-controls").hidden = !callId;
      renderMute();
    },
    onEvent(m) {
      const p = m.payload ?? {};
      if (m.type === "command.failed" && pending.has(p.command_id)) {
        beside(pending.get(p.command_id), refused(p), true);
      }
      if (m.type === "command.succeeded" || m.type === "command.failed") pending.delete(p.command_id);
      if (m.call_id === dialled?.call_id) {
        if (m.type === "call.originated") beside("msg-dial", t("%(number)s answered: answer your phone", { number: dialled.number }));
        if (m.type === "call.failed") beside("msg-dial", `${dialled.number}: ${FAILURES[p.reason] ?? (p.reason ?? t("failed")).replaceAll("_", " ")}`, true);
        if (m.type === "call.answered") beside("msg-dial", t("Connected to %(number)s", { number: dialled.number }));
      }
      if (m.call_id !== callId || !callId) return;
      if (m.type === "call.muted" || m.type === "call.unmuted") {
        muted = m.type === "call.muted";
        beside("msg-mute", muted ? t("Muted: the customer does not hear you") : t("Unmuted"));
        log(muted ? t("muted") : t("unmuted"));
        renderMute();
      } else if (m.type === "call.dtmf_sent") {
        tones += p.count ?? 0;
        beside("msg-keypad", tones === 1 ? t("1 tone sent") : t("%(count)s tones sent", { count: tones }));
      } else if (m.type === "call.transferred" && String(p.target ?? "").startsWith("number:")) {
        beside("msg-xfer-number", t("Transferred to the number"));
        log(t("call transferred to an outside number"));
      }
    },
  };
}
