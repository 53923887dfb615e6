// The supervisor's complaint desk: tickets (overdue first, highlighted), a ticket's history with
// status changes and assignments, refreshed when complaint events arrive on the live feed.
import { api } from "../api.js";
import { connectLive } from "../live.js";
import { localTime, setBusy, debounce } from "../workspace/common.js";
import { $, errorText, toast } from "../helpers.js";

const form = $("filters");
let selected = null;
const SEV = { critical: "bad", high: "bad", medium: "warn", low: "" };
const label = (s) => (s ?? "").replaceAll("_", " ");

function due(iso, late) {
  const td = document.createElement("td");
  td.className = "due" + (late ? " late" : "");
  td.textContent = iso ? localTime(iso) : "—";
  if (late) td.textContent += " · overdue";
  return td;
}

async function load() {
  const params = Object.fromEntries([...new FormData(form).entries()].filter(([, v]) => v));
  let data;
  try { data = await api("GET", "/api/complaints/tickets?" + new URLSearchParams(params)); } catch (err) { toast(errorText(err), true); return; }
  const overdue = data.tickets.filter((t) => t.overdue.length).length;
  $("overdue-count").textContent = `${overdue} overdue`;
  $("overdue-count").className = `pill ${overdue ? "bad" : "good"}`;
  const body = $("tickets");
  if (!data.tickets.length) { body.innerHTML = `<tr class="empty-row"><td colspan="7">No tickets match.</td></tr>`; return; }
  body.replaceChildren(...data.tickets.map((t) => {
    const tr = document.createElement("tr");
    tr.className = "clickable" + (t.overdue.length ? " overdue" : "") + (t.complaint_id === selected ? " selected" : "");
    tr.dataset.complaint = t.complaint_id;
    tr.dataset.overdue = t.overdue.join(",");
    tr.onclick = () => open(t.complaint_id);
    const id = document.createElement("td");
    id.innerHTML = `<strong></strong><div class="note"></div>`;
    id.firstChild.textContent = t.complaint_id;
    id.lastChild.textContent = t.description.slice(0, 70);
    const cat = document.createElement("td"); cat.textContent = label(t.category);
    const sev = document.createElement("td"); sev.innerHTML = `<span class="pill ${SEV[t.severity] ?? ""}"></span>`; sev.firstChild.textContent = t.severity;
    const st = document.createElement("td"); st.innerHTML = `<span class="pill blue"></span>`; st.firstChild.textContent = label(t.status);
    const who = document.createElement("td"); who.textContent = t.assignee ?? "—";
    tr.append(id, cat, sev, st, due(t.acknowledge_due_at, t.overdue.includes("acknowledge")), due(t.resolve_due_at, t.overdue.includes("resolve")), who);
    return tr;
  }));
}

function paintTicket(d) {
  const t = d.ticket;
  $("ticket").hidden = false;
  $("t-id").textContent = t.complaint_id;
  $("t-flags").innerHTML = (t.overdue.length ? `<span class="pill bad">overdue: ${t.overdue.join(", ")}</span> ` : "") + `<span class="pill ${SEV[t.severity] ?? ""}">${t.severity}</span>`;
  $("t-desc").textContent = t.description + (d.wish ? ` — the customer asks: ${d.wish}` : "");
  $("t-meta").textContent = `${label(t.category)} · opened ${localTime(t.opened_at)} · customer ${t.customer_id ?? "—"} · call ${t.call_id ?? "—"}`;
  $("t-status").replaceChildren(...[t.status, ...d.allowed].map((s, i) => { const o = document.createElement("option"); o.value = i ? s : ""; o.textContent = i ? `→ ${label(s)}` : `${label(s)} (now)`; return o; }));
  $("t-assignee").replaceChildren(...[{ id: "", name: t.assignee ? `${t.assignee} (now)` : "— choose —" }, ...d.agents].map((a) => { const o = document.createElement("option"); o.value = a.id; o.textContent = a.id ? `${a.name} (${a.id})` : a.name; return o; }));
  $("t-history").replaceChildren(...d.history.map((h) => {
    const li = document.createElement("li");
    li.className = h.kind;
    const time = document.createElement("time"); time.textContent = `${localTime(h.at)}${h.by ? ` · ${h.by}` : ""}`;
    const what = document.createElement("div");
    what.textContent = h.kind === "status" ? `Status ${label(h.status)}` : `Assigned to ${h.assignee}`;
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
  if (!(body.status ?? body.assignee)) { toast(kind === "status" ? "Choose the new status" : "Choose an agent", true); return; }
  setBusy(btn, true);
  try {
    paintTicket(await api("POST", `/api/complaints/tickets/${encodeURIComponent(selected)}/${kind === "status" ? "status" : "assign"}`, body));
    $("t-note").value = "";
    toast(kind === "status" ? "Status changed" : "Assigned");
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
