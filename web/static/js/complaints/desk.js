// The supervisor's complaint desk: tickets (overdue first, highlighted), a ticket's history with
// status changes and assignments, refreshed when complaint events arrive on the live feed.
import { api } from "../api.js";
import { connectLive } from "../live.js";
import { setBusy, debounce } from "../workspace/common.js";
import { $, errorText, toast } from "../helpers.js";
import { t } from "../i18n.js";
import { dateTime } from "../format.js";
import { labelOf } from "../labels.js";

const form = $("filters");
let selected = null;
const SEV = { critical: "bad", high: "bad", medium: "warn", low: "" };
const status = (s) => labelOf("status", s);

function due(iso, late) {
  const td = document.createElement("td");
  td.className = "due" + (late ? " late" : "");
  td.textContent = iso ? dateTime(iso) : "—";
  if (late) td.textContent += ` · ${t("overdue")}`;
  return td;
}

async function load() {
  const params = Object.fromEntries([...new FormData(form).entries()].filter(([, v]) => v));
  let data;
  try { data = await api("GET", "/api/complaints/tickets?" + new URLSearchParams(params)); } catch (err) { toast(errorText(err), true); return; }
  const overdue = data.tickets.filter((tk) => tk.overdue.length).length;
  $("overdue-count").textContent = t("%(n)s overdue", { n: overdue });
  $("overdue-count").className = `pill ${overdue ? "bad" : "good"}`;
  const body = $("tickets");
  if (!data.tickets.length) { body.innerHTML = `<tr class="empty-row"><td colspan="7">${t("No tickets match.")}</td></tr>`; return; }
  body.replaceChildren(...data.tickets.map((tk) => {
    const tr = document.createElement("tr");
    tr.className = "clickable" + (tk.overdue.length ? " overdue" : "") + (tk.complaint_id === selected ? " selected" : "");
    tr.dataset.complaint = tk.complaint_id;
    tr.dataset.overdue = tk.overdue.join(",");
    tr.onclick = () => open(tk.complaint_id);
    const id = document.createElement("td");
    id.innerHTML = `<strong></strong><div class="note"></div>`;
    id.firstChild.textContent = tk.complaint_id;
    id.lastChild.textContent = tk.description.slice(0, 70);
    const cat = document.createElement("td"); cat.className = "nowrap"; cat.textContent = labelOf("category", tk.category);
    const sev = document.createElement("td"); sev.innerHTML = `<span class="pill ${SEV[tk.severity] ?? ""}"></span>`; sev.firstChild.textContent = labelOf("severity", tk.severity);
    const st = document.createElement("td"); st.innerHTML = `<span class="pill blue"></span>`; st.firstChild.textContent = status(tk.status);
    const who = document.createElement("td"); who.textContent = labelOf("agent", tk.assignee);
    tr.append(id, cat, sev, st, due(tk.acknowledge_due_at, tk.overdue.includes("acknowledge")), due(tk.resolve_due_at, tk.overdue.includes("resolve")), who);
    return tr;
  }));
}

function pill(cls, text) {
  const p = document.createElement("span");
  p.className = `pill ${cls}`;
  p.textContent = text;
  return p;
}

function paintTicket(d) {
  const tk = d.ticket;
  $("ticket").hidden = false;
  $("t-id").textContent = tk.complaint_id;
  const missed = tk.overdue.map((k) => labelOf("deadline", k)).join(t(", "));
  $("t-flags").replaceChildren(...(tk.overdue.length ? [pill("bad", t("overdue: %(deadlines)s", { deadlines: missed })), " "] : []), pill(SEV[tk.severity] ?? "", labelOf("severity", tk.severity)));
  $("t-desc").textContent = tk.description + (d.wish ? t(" — the customer asks: %(wish)s", { wish: d.wish }) : "");
  $("t-meta").textContent = t("%(category)s · opened %(opened)s · customer %(customer)s · call %(call)s", {
    category: labelOf("category", tk.category), opened: dateTime(tk.opened_at), customer: tk.customer_id ?? "—", call: tk.call_id ?? "—" });
  $("t-status").replaceChildren(...[tk.status, ...d.allowed].map((s, i) => { const o = document.createElement("option"); o.value = i ? s : ""; o.textContent = i ? `→ ${status(s)}` : t("%(status)s (now)", { status: status(s) }); return o; }));
  $("t-assignee").replaceChildren(...[{ id: "", name: tk.assignee ? t("%(assignee)s (now)", { assignee: labelOf("agent", tk.assignee) }) : t("— choose —") }, ...d.agents].map((a) => { const o = document.createElement("option"); o.value = a.id; o.textContent = a.id ? `${a.name} (${a.id})` : a.name; return o; }));
  $("t-history").replaceChildren(...d.history.map((h) => {
    const li = document.createElement("li");
    li.className = h.kind;
    const time = document.createElement("time"); time.textContent = `${dateTime(h.at)}${h.by ? ` · ${h.by}` : ""}`;
    const what = document.createElement("div");
    what.textContent = h.kind === "status" ? t("Status %(status)s", { status: status(h.status) }) : t("Assigned to %(assignee)s", { assignee: labelOf("agent", h.assignee) });
    li.append(time, what);
    if (h.note) { const n = document.createElement("div"); n.className = "note"; n.textContent = h.note; li.append(n); }
    return li;
  }));
}

async function open(id) {
  selected = id;
  for (const tr of $("tickets").rows) tr.classList.toggle("selected", tr.dataset.complaint === id);
  try { paintTicket(await api("GET", `/api/complaints/tickets/${encodeURIComponent(id)}`)); } catch (err) { toast(errorText(err), true); }
}

async function change(kind) {
  const btn = kind === "status" ? $("t-save-status") : $("t-save-assign");
  const note = $("t-note").value.trim();
  const body = kind === "status" ? { status: $("t-status").value, note } : { assignee: $("t-assignee").value, note };
  if (!(body.status ?? body.assignee)) { toast(kind === "status" ? t("Choose the new status") : t("Choose an agent"), true); return; }
  setBusy(btn, true, t("Saving…"));
  try {
    paintTicket(await api("POST", `/api/complaints/tickets/${encodeURIComponent(selected)}/${kind === "status" ? "status" : "assign"}`, body));
    $("t-note").value = "";
    toast(kind === "status" ? t("Status changed") : t("Assigned"));
    await load();
  } catch (err) { toast(errorText(err), true); } finally { setBusy(btn, false); }
}

form.addEventListener("change", load);
$("t-save-status").addEventListener("click", () => change("status"));
$("t-save-assign").addEventListener("click", () => change("assign"));
const reload = debounce(() => { load(); if (selected) open(selected); }, 500);
connectLive({ onOpen: reload, onMessages: (msgs) => { if (msgs.some((m) => m.t === "event" && m.type?.startsWith("complaint."))) reload(); } });
load();
const asked = new URLSearchParams(location.search).get("ticket"); // the wallboard's overdue alert
if (asked) open(asked);
