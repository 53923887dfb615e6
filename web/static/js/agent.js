// The agent's softphone dashboard: state, screen pop with the customer card, call control,
// wrap-up. State comes from /api/agent on load and after every (re)connect; live events move it.
import { api } from "./api.js";
import { date, dateTime, duration, pct, time, weekday } from "./format.js";
import { t } from "./i18n.js";
import { categoryLabel, dispositionLabel, outcomeLabel, reasonLabel, refused, stateLabel, tierLabel } from "./desk/labels.js";
import { connectLive } from "./live.js";
import { startControls } from "./desk/controls.js";
import { startPhonePanel } from "./phone/panel.js";
import { startRinger } from "./ringer.js";
import { wireRecordingPause } from "./desk/recording.js";
import { startConsult } from "./desk/consult.js";
import { showScript } from "./desk/script.js";
import { $, act, el, errorText, setText } from "./helpers.js";

const phone = startPhonePanel();  // the browser phone, when this agent's phone is "webrtc"
const ringer = startRinger($("ring-banner"));  // tone, notification and title while an offer rings
const controls = startControls({ log: (t) => log(t) });  // mute, keypad, transfer out, dialling
let view = null;          // last AgentView from the server
let clockSkewMs = 0;      // server clock - browser clock
let call = null;          // {call_id, state, started_ms, held, queue}
let wrapCall = null;      // call id awaiting wrap-up
let lastCustomer = null;  // name on the last card, for the wrap-up heading
const tasks = new Map();  // call id -> its outbound task (return visit / callback), recent calls
let formFor = null;       // the call the wrap-up form was last cleared for
let saving = false;       // a wrap-up save in flight (no double submit)
let lastCall = null;      // {call_id, started_ms, ended_ms}: the ended call's length stays shown
let expiredFor = null;    // the call whose wrap-up was saved when its time ran out
let draftTimer = null;    // the next draft save (a few seconds after the agent stops typing)
const callCommands = new Set();  // ids of the commands the call controls sent (their failures)
const PARTS = ["customer", "complaint", "callback"];
const PART_NAMES = { customer: t("customer"), complaint: t("complaint"), callback: t("callback") };
const PART_SAVED = { customer: t("customer saved"), complaint: t("complaint saved"), callback: t("callback saved") };
// the call controls' "sent" lines (the phone system's answer follows on the live feed)
const SENT = {
  answer: t("answer sent"), hold: t("hold sent"), resume: t("resume sent"), hangup: t("hangup sent"),
  transfer: t("transfer sent"), recording: t("recording sent"),
};
const PARTIES = { customer: t("the customer"), agent: t("the agent"), system: t("the phone system") };
const DRAFT_DELAY_MS = 1500;

const now = () => Date.now() + clockSkewMs;
// Actions report on the page's message line.
const run = (fn, done) => act(fn, done, say);
// a call control's outcome shows beside the call controls, not in the state card
const runOnCall = (fn, done) => act(fn, done, (text, bad) => partSay("msg-call", text, bad));

// warm transfer and conference: its controls, state and messages (desk/consult.js)
const consult = startConsult({ callId: () => currentCallId(), log: (t) => log(t) });

function say(text, bad = false) {
  const m = $("message");
  m.textContent = text;
  m.dataset.kind = bad ? "bad" : "ok";
}

// A wrap-up part's message, beside the control that caused it.
function partSay(id, text, bad = false) {
  const m = $(id);
  setText(m, text ?? "");
  m.dataset.kind = bad ? "bad" : "ok";
}

function log(text) {
  const li = el("li", {}, el("time", {}, time(new Date())), " ", text);
  $("log").prepend(li);
  while ($("log").children.length > 40) $("log").lastChild.remove();
}

function renderState() {
  const s = view.state;
  const pill = $("state-pill");
  pill.dataset.state = s.state;
  setText(pill, stateLabel(s.state));
  setText($("state-reason"), s.reason ? t("reason: %(reason)s", { reason: reasonLabel(s.reason) }) : "");
  const st = s.state;
  $("btn-login").hidden = st !== "logged_out";
  $("btn-ready").disabled = !["not_ready", "wrap_up"].includes(st);
  $("btn-not-ready").disabled = !["ready", "not_ready", "wrap_up"].includes(st);
  $("reason").disabled = $("btn-not-ready").disabled;
  $("btn-logout").disabled = !["ready", "not_ready", "wrap_up"].includes(st);
  $("btn-logout").hidden = st === "logged_out";
  document.body.dataset.agentState = st;
}

// The offer on screen rings until it is answered or ends (the queue's ring timeout, the caller
// hanging up): the ringer follows the call's state.
const queueName = (id) => view.queues.find((q) => q.id === id)?.name ?? id;

function renderRing() {
  const offered = call ? call.state === "offered" : view.call?.state === "offered";
  const id = offered ? call?.call_id ?? view.call?.call_id : null;
  const c = view.call?.call_id === id ? view.call : null;
  const qid = c?.queue_id ?? call?.queue;
  const queue = qid ? queueName(qid) : null;
  ringer.offer(id, queue, c?.customer?.name ?? c?.caller_masked);
}

// A return visit's form (客户回访记录表, in the agent's language): the opening, the questions
// the wrap-up's answers fill in (data-field: satisfied, score, comment) and the closing.
function renderTaskForm(box, form) {
  box.hidden = !form;
  if (!form) return;
  box.replaceChildren(
    el("strong", {}, form.title),
    el("p", {}, form.opening),
    el("ol", {}, ...form.questions.map((q) => el("li", { "data-field": q.field }, q.text))),
    el("p", {}, form.closing),
  );
}

function renderCall() {
  renderRing();
  controls.render(call?.state === "connected" && view.state.state === "on_call" ? call.call_id : null);
  const c = view.call;
  const panel = $("call-panel");
  if (!c && !call) {
    consult.reset();
    panel.hidden = true;
    $("call-empty").hidden = !!wrapCall;
    $("call-card").dataset.call = wrapCall ? "wrap" : "none";
    showScript(wrapCall ? undefined : null, view.name);
    return;
  }
  $("call-empty").hidden = true;
  panel.hidden = false;
  const shownId = call?.call_id ?? c?.call_id;
  if (panel.dataset.callId !== shownId) { panel.dataset.callId = shownId ?? ""; partSay("msg-call", ""); }
  const state = call?.state ?? c?.state ?? "offered";
  $("call-card").dataset.call = state;
  showScript(c?.queue_id ?? call?.queue ?? undefined, view.name);
  const cust = c?.customer;
  setText($("cust-name"), cust?.name ?? t("Unknown caller"));
  const link = $("cust-link");  // the card with history and contact edits, in its own tab
  link.hidden = !cust?.customer_id;
  if (cust?.customer_id) link.href = `/customers/${encodeURIComponent(cust.customer_id)}`;
  if (cust?.name) lastCustomer = cust.name;
  const tier = cust?.tier ?? c?.tier ?? "ordinary";
  const tierEl = $("cust-tier");
  tierEl.dataset.tier = tier;
  setText(tierEl, tierLabel(tier));
  setText($("cust-phone"), cust?.phone_masked ?? c?.caller_masked ?? t("number withheld"));
  setText($("call-queue"), c?.queue_id ? `· ${queueName(c.queue_id)}` : "");
  setText($("call-direction"), c?.direction === "outbound" ? t("Outbound call") : t("Incoming call"));
  setText($("cust-complaints"), cust?.open_complaints ?? "—");
  $("caller-box").hidden = !!cust?.customer_id;
  const task = c?.task ?? tasks.get(call?.call_id ?? c?.call_id);
  $("task-banner").hidden = !task;
  if (task) {
    setText($("task-kind"), task.kind === "callback" ? t("Callback") : t("Return visit"));
    setText($("task-reason"), task.reason);
    setText($("task-attempt"), t("· attempt %(attempt)s of %(max)s", { attempt: task.attempt, max: task.max_attempts }));
    setText($("task-note"), task.note ?? "");
  }
  renderTaskForm($("task-form"), task?.form);
  const body = $("cust-calls");
  body.replaceChildren(...(cust?.last_calls ?? []).map((r) =>
    el("tr", {}, el("td", {}, r.arrived_at ? dateTime(r.arrived_at) : "—"),
      el("td", {}, r.queue_id ? queueName(r.queue_id) : "—"), el("td", {}, outcomeLabel(r.outcome)), el("td", {}, dispositionLabel(r.disposition)))));
  if (!body.children.length) body.append(el("tr", {}, el("td", { colspan: 4, class: "muted" }, t("No earlier calls"))));
  const pill = $("call-state");
  const shown = call?.held ? "held" : state === "connected" ? "on_call" : state;
  pill.dataset.state = shown;
  setText(pill, stateLabel(shown === "on_call" ? "talking" : shown));
  const ended = state === "ended" || view.state.state === "wrap_up";
  document.querySelector("#call-panel .controls").hidden = ended;
  if (ended) setText($("call-direction"), t("Call ended"));
  const offered = state === "offered";
  $("btn-answer").hidden = !offered;
  $("btn-hold").hidden = offered || !!call?.held;
  $("btn-resume").hidden = offered || !call?.held;
  $("btn-rec-pause").hidden = offered;
  recordingLabel(currentCallId());
  $("btn-transfer").disabled = offered;
  $("transfer-target").disabled = offered;
  $("btn-transfer").hidden = $("transfer-target").hidden = false;
  consult.render(!offered && !ended);
}

function renderWrap() {
  const form = $("wrapup");
  form.hidden = !wrapCall;
  if (wrapCall && formFor !== wrapCall) {  // a new call to wrap up: nothing of the last one's
    clearWrapForm();
    formFor = wrapCall;
    restoreDraft(wrapCall);
  }
  const rv = wrapCall ? tasks.get(wrapCall) : null;
  $("rv-fields").hidden = !rv;
  if (rv) {
    setText($("rv-legend"), rv.kind === "callback" ? t("Callback outcome") : t("Return visit"));
    const reached = $("rv-outcome").value === "reached";
    const survey = rv.kind === "return_visit" && reached;
    $("rv-score-label").hidden = !survey;
    $("rv-satisfied-row").hidden = !survey;
  }
  if (wrapCall && view.call?.customer?.name) lastCustomer = view.call.customer.name;
  const who = lastCustomer ?? t("the caller");
  setText($("wrap-who"), wrapCall ? t("· call with %(who)s", { who }) : "");
  if (wrapCall) $("call-empty").hidden = true;
}

function renderFigures() {
  setText($("fig-calls"), view.today.calls);
  setText($("fig-aht"), duration(view.today.average_handle_s));
  setText($("fig-qa"), view.today.qa_score == null ? "—" : Math.round(view.today.qa_score));
  // the post-call survey (cc-survey), apart from the return visits' satisfaction form
  setText($("fig-csat"), view.today.csat_pct == null ? "—" : pct(view.today.csat_pct));
  setText($("fig-csat-label"), t("caller survey 4-5 (%(surveyed)s)", { surveyed: view.today.surveyed }));
}

function renderWeek() {
  const shifts = view.shifts ?? [];
  $("week-card").hidden = shifts.length === 0;
  const days = new Map();  // by the day in the centre's time zone
  for (const s of shifts) {
    const start = new Date(s.start_at), end = new Date(s.end_at);
    const key = date(start);
    if (!days.has(key)) days.set(key, { date: start, shift: null, breaks: [] });
    const day = days.get(key);
    if (s.activity === "shift") day.shift = `${time(start)}–${time(end)}`;
    else day.breaks.push(`${reasonLabel(s.activity)} ${time(start)}`);
  }
  const today = date(new Date());
  $("week").replaceChildren(...[...days.entries()].map(([key, d]) =>
    el("li", { class: key === today ? "today" : "" },
      el("b", {}, weekday(d.date)),
      el("span", {}, d.shift ?? "—"), el("small", { class: "muted" }, d.breaks.join(" · ")))));
}

function fillSelects() {
  const reasons = $("reason");
  if (!reasons.options.length) reasons.append(...view.reasons.map((r) => el("option", { value: r }, reasonLabel(r))));
  const disp = $("disposition");
  if (!disp.options.length) {
    disp.append(el("option", { value: "" }, t("— choose —")), ...view.dispositions.map((d) => el("option", { value: d }, dispositionLabel(d))));
  }
  const tiers = $("new-cust-tier");
  if (!tiers.options.length) tiers.append(...view.customer_tiers.map((tier) => el("option", { value: tier }, tierLabel(tier))));
  const cat = $("complaint-category");
  if (!cat.options.length) cat.append(...view.complaint_categories.map((c) => el("option", { value: c }, categoryLabel(c))));
  consult.fill(view.agents, view.state.agent_id, view.queues);
  const tt = $("transfer-target");
  if (!tt.options.length) {
    const gq = el("optgroup", { label: t("Queues") }, ...view.queues.map((q) => el("option", { value: `queue:${q.id}` }, q.name)));
    const ga = el("optgroup", { label: t("Agents") }, ...view.agents.map((a) => el("option", { value: `agent:${a.id}` }, a.name)));
    tt.append(gq, ga);
  }
}

// A load answered after a newer one was asked for is stale (e.g. it still shows an offer that
// rang out meanwhile, which would ring again): it is dropped, the newer one shows the page.
let loadSeq = 0;

async function load() {
  const started = Date.now();
  const seq = ++loadSeq;
  const fresh = await api("GET", "/api/agent");
  if (seq !== loadSeq) return;
  view = fresh;
  clockSkewMs = view.server_ms - (started + Date.now()) / 2;
  const s = view.state;
  if (view.call?.task && !tasks.has(view.call.call_id)) {
    tasks.set(view.call.call_id, { ...view.call.task });
    if (tasks.size > 20) tasks.delete(tasks.keys().next().value);
  }
  if (view.call) {
    const state = view.call.state === "connected" ? "connected" : view.call.state ?? "offered";
    call = { call_id: view.call.call_id, state, started_ms: call?.call_id === view.call.call_id ? call.started_ms : s.since_ms,
             held: call?.held ?? false, queue: view.call.queue_id };
    if (s.state === "wrap_up") { wrapCall = view.call.call_id; call = null; }
  } else {
    call = null;
  }
  if (s.state !== "wrap_up" && !view.call) wrapCall = wrapCall && s.state === "ready" ? wrapCall : null;
  fillSelects();
  renderState();
  renderCall();
  renderWrap();
  renderFigures();
  renderWeek();
}

let reloadTimer = null;
function reloadSoon(ms = 150) {
  clearTimeout(reloadTimer);
  loadSeq++;
  reloadTimer = setTimeout(() => load().catch((e) => say(e.message, true)), ms);
}

function onEvents(msgs) {
  for (const m of msgs) {
    if (m.t !== "event") continue;
    controls.onEvent(m);
    if (consult.onEvent(m)) continue;
    const p = m.payload ?? {};
    switch (m.type) {
      case "agent.state":
        // another agent's state: a call of ours moved to them (a transfer) shows it too
        if (m.agent_id && m.agent_id !== view.state.agent_id) break;
        // the wrap-up time ran out before the page saved it: save what was typed now
        if (view.state.state === "wrap_up" && p.state !== "wrap_up" && wrapCall && !saving) expire(wrapCall);
        if (p.state === "not_ready" && p.reason === "rona") missed();
        view.state = { ...view.state, state: p.state, reason: p.reason ?? null, since_ms: Date.parse(m.ts), call_id: m.call_id ?? view.state.call_id,
                       wrap_until_ms: p.state === "wrap_up" ? view.state.wrap_until_ms : null };
        if (p.state === "wrap_up") wrapCall = m.call_id ?? view.state.call_id ?? call?.call_id ?? wrapCall;
        // an offer that ended without being answered (the caller left, the phone was unreachable
        // or rang out): the ringing call goes from the dashboard
        if (call?.state === "offered" && !["offered", "on_call"].includes(p.state)) { call = null; view.call = null; }
        log(p.reason ? t("state: %(state)s (%(reason)s)", { state: stateLabel(p.state), reason: reasonLabel(p.reason) }) : t("state: %(state)s", { state: stateLabel(p.state) }));
        reloadSoon();
        break;
      case "call.offered":
        call = { call_id: m.call_id, state: "offered", started_ms: Date.parse(m.ts), held: false, queue: p.queue };
        log(t("call offered from queue %(queue)s", { queue: p.queue ? queueName(p.queue) : "?" }));
        reloadSoon(0);
        break;
      case "call.answered":
        if (call?.call_id === m.call_id) { call.state = "connected"; call.started_ms = Date.parse(m.ts); }
        log(t("call answered"));
        break;
      case "call.held":
        if (call?.call_id === m.call_id) call.held = true;
        log(t("call on hold"));
        break;
      case "call.resumed":
        if (call?.call_id === m.call_id) call.held = false;
        log(t("call resumed"));
        break;
      case "call.transferred":
        log(t("call transferred"));
        break;
      case "call.connect_failed":
        if (call?.call_id === m.call_id) { call = null; view.call = null; }
        log(p.dial_status ? t("your phone could not be reached (%(status)s)", { status: p.dial_status }) : t("your phone could not be reached"));
        say(t("Your phone could not be reached: check that it is on and registered, then go ready again."), true);
        reloadSoon();
        break;
      case "agent.rona":
        missed(p.queue);
        break;
      case "call.ended":
      case "call.abandoned":
        if (call?.call_id === m.call_id && call.state === "connected" && m.type === "call.ended") {
          lastCall = { call_id: m.call_id, started_ms: call.started_ms, ended_ms: Date.parse(m.ts) };
        }
        if (call?.call_id === m.call_id) { wrapCall = m.type === "call.ended" && call.state === "connected" ? m.call_id : wrapCall; call = null; view.call = null; }
        log(m.type !== "call.ended" ? t("caller hung up before answer") : p.by ? t("call ended by %(party)s", { party: PARTIES[p.by] ?? p.by }) : t("call ended"));
        reloadSoon();
        break;
      case "call.wrapped":  // the form goes when the save's answer says every part is done
        log(t("wrap-up saved: %(disposition)s", { disposition: dispositionLabel(p.disposition) }));
        break;
      case "command.failed":
        // beside the call controls when one of them sent it (the others say it beside themselves)
        if (callCommands.delete(p.command_id)) partSay("msg-call", refused(p), true);
        log(t("command failed"));
        break;
    }
  }
  renderState();
  renderCall();
  renderWrap();
}

function tick() {
  if (view) {
    const s = view.state;
    setText($("state-timer"), s.since_ms ? duration((now() - s.since_ms) / 1000) : "0:00");
    const ended = !call && lastCall && lastCall.call_id === (wrapCall ?? view.call?.call_id);
    const talk = call?.started_ms ? now() - call.started_ms : ended ? lastCall.ended_ms - lastCall.started_ms : 0;
    setText($("call-timer"), duration(Math.max(0, talk) / 1000));
    const cd = $("wrap-countdown");
    if (s.state === "wrap_up" && s.wrap_until_ms) {
      const left = (s.wrap_until_ms - now()) / 1000;
      setText(cd, duration(Math.max(0, left)));
      cd.dataset.urgent = left < 10 ? "yes" : "no";
      if (left <= 0 && wrapCall && !saving) expire(wrapCall);
    } else setText(cd, "—");
  }
}

function currentCallId() { return call?.call_id ?? view?.call?.call_id; }
let recordingLabel = () => {};

function wire() {
  $("btn-login").onclick = () => run(() => api("POST", "/api/agent/login"), t("Logged in")).then(reloadSoon);
  $("btn-ready").onclick = () => run(() => api("POST", "/api/agent/ready"), t("Ready for calls")).then(reloadSoon);
  $("btn-not-ready").onclick = () => run(() => api("POST", "/api/agent/not-ready", { reason: $("reason").value }), t("Not ready")).then(reloadSoon);
  $("btn-logout").onclick = () => run(() => api("POST", "/api/agent/logout"), t("Logged out")).then(reloadSoon);
  const callCmd = (what, body) => runOnCall(async () => {
    const out = await api("POST", `/api/calls/${encodeURIComponent(currentCallId())}/${what}`, body);
    if (out?.command_id) callCommands.add(out.command_id);
    return out;
  }, SENT[what]);
  // a browser phone answers in the browser; a device by the PBX (PJSIPNotify)
  $("btn-answer").onclick = () => (phone ? runOnCall(async () => phone.answer(), t("Answered")) : callCmd("answer"));
  $("btn-hold").onclick = () => callCmd("hold");
  $("btn-resume").onclick = () => callCmd("resume");
  $("btn-hangup").onclick = () => callCmd("hangup");
  recordingLabel = wireRecordingPause($("btn-rec-pause"), currentCallId, callCmd);
  $("btn-transfer").onclick = () => {
    const [kind, target] = $("transfer-target").value.split(":");
    callCmd("transfer", { target_kind: kind, target });
  };
  $("open-complaint").onchange = (e) => { $("complaint-fields").hidden = !e.target.checked; };
  $("wrapup").addEventListener("input", draftSoon);
  $("wrapup").addEventListener("change", draftSoon);
  $("btn-new-cust").onclick = () => createCustomer();
  $("btn-cust-search").onclick = () => findCustomers();
  $("cust-search").onkeydown = (e) => { if (e.key === "Enter") { e.preventDefault(); findCustomers(); } };
  $("rv-outcome").onchange = () => renderWrap();
  $("btn-extend").onclick = () => run(() => api("POST", "/api/agent/wrap-up/extend", { extra_s: 30 }), t("Wrap-up extended")).then(reloadSoon);
  $("wrapup").onsubmit = (e) => { e.preventDefault(); submitWrapUp(false); };
}

async function submitWrapUp(expired) {
  if (saving || !wrapCall) return;
  saving = true;
  $("btn-wrapup").disabled = true;
  try { await saveWrapUp(expired); } finally { saving = false; $("btn-wrapup").disabled = false; }
}

// The wrap-up time ran out: what was typed is saved (no disposition: none_given) and the form
// clears for the next call.
function expire(callId) {
  if (expiredFor === callId) return;
  expiredFor = callId;
  submitWrapUp(true);
}

function missed(queue) {
  say(queue ? t("You missed a call from %(queue)s: it rang until the queue's ring timeout. You are not ready; press Ready to take calls.", { queue })
    : t("You missed a call: it rang until the queue's ring timeout. You are not ready; press Ready to take calls."), true);
  document.body.dataset.missed = "yes";
}

function clearWrapForm() {
  clearTimeout(draftTimer);
  $("wrapup").reset();
  $("complaint-fields").hidden = true;
  for (const id of ["msg-customer", "msg-complaint", "msg-callback", "msg-wrapup", "draft-state"]) partSay(id, "");
  $("new-cust-name").value = "";
  $("cust-search").value = "";
  $("cust-results").replaceChildren();
}

// Drafts: what the agent types is kept on the server a moment after they stop typing.
function draftBody() {
  return {
    disposition: $("disposition").value, notes: $("notes").value, callback_at: $("callback-at").value,
    complaint: $("open-complaint").checked, complaint_category: $("complaint-category").value,
    complaint_severity: $("complaint-severity").value, complaint_description: $("complaint-description").value,
  };
}

function draftSoon() {
  if (!wrapCall) return;
  clearTimeout(draftTimer);
  const callId = wrapCall;
  draftTimer = setTimeout(() => saveDraft(callId), DRAFT_DELAY_MS);
}

async function saveDraft(callId) {
  if (callId !== wrapCall || saving) return;
  try {
    await api("PUT", `/api/calls/${encodeURIComponent(callId)}/wrap-up/draft`, draftBody());
    setText($("draft-state"), t("draft kept %(time)s", { time: time(new Date()) }));
  } catch (err) {  // kept in the form; tried again a little later
    setText($("draft-state"), t("draft not kept (%(error)s), retrying", { error: errorText(err) }));
    clearTimeout(draftTimer);
    draftTimer = setTimeout(() => saveDraft(callId), 5000);
  }
}

async function restoreDraft(callId) {
  const out = await api("GET", `/api/calls/${encodeURIComponent(callId)}/wrap-up/draft`).catch(() => null);
  const d = out?.draft;
  if (!d || formFor !== callId) return;
  $("disposition").value = d.disposition ?? "";
  $("notes").value = d.notes ?? "";
  $("callback-at").value = d.callback_at ?? "";
  $("open-complaint").checked = !!d.complaint;
  $("complaint-fields").hidden = !d.complaint;
  if (d.complaint_category) $("complaint-category").value = d.complaint_category;
  if (d.complaint_severity) $("complaint-severity").value = d.complaint_severity;
  $("complaint-description").value = d.complaint_description ?? "";
  setText($("draft-state"), t("draft restored"));
}

// The caller's customer record: created with the caller's number, or an existing one linked.
const callOnScreen = () => wrapCall ?? currentCallId();

async function createCustomer() {
  const callId = callOnScreen();
  const name = $("new-cust-name").value.trim();
  if (!callId) return;
  if (!name) { partSay("msg-customer", t("name: required"), true); return; }
  try {
    const out = await api("POST", `/api/calls/${encodeURIComponent(callId)}/customer`, { name, tier: $("new-cust-tier").value });
    partSay("msg-customer", t("Customer %(name)s created", { name: out.customer.name }));
    reloadSoon(0);
  } catch (err) { partSay("msg-customer", errorText(err), true); }
}

async function findCustomers() {
  const q = $("cust-search").value.trim();
  if (!q) return;
  try {
    const out = await api("GET", `/api/agent/customers?q=${encodeURIComponent(q)}`);
    $("cust-results").replaceChildren(...out.customers.map((c) => {
      const b = el("button", { class: "btn btn-ghost", type: "button" }, t("Link"));
      b.onclick = () => linkCustomer(c);
      return el("li", {}, el("span", {}, `${c.name} · ${tierLabel(c.tier)} · ${c.phone_masked ?? "—"}`), b);
    }));
    partSay("msg-customer", out.customers.length ? "" : t("No customer found"), !out.customers.length);
  } catch (err) { partSay("msg-customer", errorText(err), true); }
}

async function linkCustomer(c) {
  const callId = callOnScreen();
  try {
    await api("POST", `/api/calls/${encodeURIComponent(callId)}/customer/link`, { customer_id: c.customer_id });
    partSay("msg-customer", t("Call linked to %(name)s", { name: c.name }));
    $("cust-results").replaceChildren();
    reloadSoon(0);
  } catch (err) { partSay("msg-customer", errorText(err), true); }
}

// The wrap-up of the call being wrapped up: the return-visit form first (when the call was an
// outbound task's), then the disposition, notes, callback and complaint.
async function saveWrapUp(expired = false) {
  const callId = wrapCall;
  clearTimeout(draftTimer);
  const body = { disposition: $("disposition").value, notes: $("notes").value, expired };
  const cb = $("callback-at").value;
  if (cb) body.callback_at = new Date(cb).toISOString();
  if ($("open-complaint").checked) {
    body.complaint = { category: $("complaint-category").value, severity: $("complaint-severity").value,
                       description: $("complaint-description").value };
  }
  const name = $("new-cust-name").value.trim();
  if (name && !view.call?.customer?.customer_id) body.new_customer = { name, tier: $("new-cust-tier").value };
  const task = tasks.get(callId);
  if (task && !task.recorded && !task.skip && !expired) {
    const outcome = $("rv-outcome").value;
    const sat = document.querySelector('input[name="rv-satisfied"]:checked');
    const form = { outcome, comment: $("rv-comment").value || null };
    if (outcome === "reached" && task.kind === "return_visit") {
      form.satisfied = sat ? sat.value === "yes" : null;
      form.score = $("rv-score").value ? Number($("rv-score").value) : null;
    }
    const done = await run(() => api("POST", `/api/calls/${encodeURIComponent(callId)}/return-visit`, form));
    if (!done) {  // e.g. the task moved on meanwhile: the wrap-up itself must still be savable
      task.skip = true;
      const again = t("(press Save again to keep the wrap-up without it)");
      say(`${$("message").textContent} ${again}`, true);
      return;
    }
    task.recorded = true;
    log(task.kind === "callback" ? t("callback recorded: %(outcome)s", { outcome: outcomeLabel(outcome) }) : t("return visit recorded: %(outcome)s", { outcome: outcomeLabel(outcome) }));
  }
  let out;
  try {
    out = await api("POST", `/api/calls/${encodeURIComponent(callId)}/wrap-up`, body);
  } catch (err) {  // nothing saved: the form and the draft on the server keep it
    partSay("msg-wrapup", errorText(err), true);
    return;
  }
  const failed = PARTS.filter((k) => out.parts[k] && !out.parts[k].ok);
  for (const k of PARTS) {
    const r = out.parts[k];
    if (r) partSay(`msg-${k}`, r.ok ? PART_SAVED[k] : `${r.field ? `${r.field}: ` : ""}${r.message}`, !r.ok);
  }
  const disposition = dispositionLabel(out.disposition);
  const parts = failed.map((k) => PART_NAMES[k]).join(t(" and "));
  if (out.callback_task_id) log(t("callback scheduled"));
  if (out.complaint_id) log(t("complaint opened"));
  if (failed.length && !expired) {
    partSay("msg-wrapup", t("Disposition (%(disposition)s) and notes saved; %(parts)s failed: fix it and save again.", { disposition, parts }), true);
    return;
  }
  say(!expired ? t("Disposition (%(disposition)s) and notes saved.", { disposition })
    : failed.length ? t("Wrap-up time ran out: what you typed was saved (%(disposition)s); %(parts)s failed.", { disposition, parts })
      : t("Wrap-up time ran out: what you typed was saved (%(disposition)s).", { disposition }), failed.length > 0);
  if (wrapCall === callId) wrapCall = null;
  tasks.delete(callId);
  lastCall = null;
  clearWrapForm();
  formFor = null;
  reloadSoon(0);
}

wire();
setInterval(tick, 250);
connectLive({
  onOpen: () => load().catch((e) => say(e.message, true)),
  onMessages: (msgs) => { if (view) onEvents(msgs); },
});
