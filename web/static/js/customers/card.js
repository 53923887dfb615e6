// The customer card (web/customers): contact fields, editable where the role may (PATCH
// /api/customers/{id}, audited), and the history of calls, complaints, return visits, callbacks.
import { api } from "../api.js";
import { duration } from "../format.js";
import { followLive, localTime, setBusy } from "../workspace/common.js";
import { $, el, errorText } from "../helpers.js";
import { t } from "../i18n.js";
import {
  categoryLabel, complaintStatusLabel, directionLabel, dispositionLabel, outcomeLabel, severityLabel,
  taskKindLabel, taskStatusLabel, tierLabel,
} from "../desk/labels.js";

const id = $("card-app").dataset.customer;
const names = JSON.parse($("card-app").dataset.names ?? "{}");  // queue and agent ids -> names
const named = (kind, v) => (v == null ? "—" : names[kind]?.[v] ?? v);
const url = `/api/customers/${encodeURIComponent(id)}`;
const form = $("contact");
const FIELDS = ["name", "phones", "email", "notes"];
// the contact fields as the form names them (the API's field ids stay in the request)
const FIELD_LABELS = { name: t("name"), phones: t("phones"), email: t("e-mail"), notes: t("notes") };
const fieldList = (ids) => ids.map((f) => FIELD_LABELS[f] ?? f).join(t(", "));
let shown = {};  // the values on screen as loaded: only what the user changed is sent

function say(node, text, bad = false) { node.textContent = text ?? ""; node.dataset.kind = bad ? "bad" : "ok"; }

// a table's rows; the cells of the columns headed class="num" align as their heading does
function rows(body, items, cells, empty) {
  const nums = [...body.closest("table").querySelectorAll("th")].map((th) => th.classList.contains("num"));
  body.replaceChildren(...(items.length ? items.map((r) => el("tr", {}, ...cells(r).map((c, i) => el("td", nums[i] ? { class: "num" } : {}, c ?? "—"))))
    : [el("tr", { class: "empty-row" }, el("td", { colspan: 7 }, empty))]));
}

function show(d) {
  const c = d.customer;
  $("c-name").textContent = c.name;
  $("c-tier").textContent = tierLabel(c.tier);
  $("c-dnc").hidden = !c.do_not_call;
  shown = { name: c.name, phones: c.phones.join("\n"), email: c.email ?? "", notes: c.notes ?? "" };
  for (const f of FIELDS) {
    form.elements[f].value = shown[f];
    form.elements[f].readOnly = !d.editable.includes(f);
  }
  $("save").hidden = d.editable.length === 0;
  $("edit-note").textContent = d.editable.length
    ? t("You may edit: %(fields)s. Every change is in the audit log.", { fields: fieldList(d.editable) })
    : t("Your role may not edit this customer's contact fields.");
  const h = d.history;
  rows($("h-calls"), h.calls, (r) => [localTime(r.arrived_at), directionLabel(r.direction), named("queues", r.queue_id), named("agents", r.agent_id),
    r.talk_s == null ? "—" : duration(r.talk_s), outcomeLabel(r.outcome), dispositionLabel(r.disposition)], t("No calls"));
  rows($("h-complaints"), h.complaints, (r) => [r.complaint_id, localTime(r.opened_at), categoryLabel(r.category),
    severityLabel(r.severity), complaintStatusLabel(r.status)], t("No complaints"));
  rows($("h-tasks"), h.tasks, (r) => [taskKindLabel(r.kind), localTime(r.due_at), taskStatusLabel(r.status), String(r.attempts),
    outcomeLabel(r.outcome), r.answers?.satisfied == null ? "—" : r.answers.satisfied ? t("yes") : t("no")], t("No return visits or callbacks"));
}

async function load() {
  try { show(await api("GET", url)); } catch (err) { say($("save-msg"), errorText(err), true); }
}

async function save(e) {
  e.preventDefault();
  for (const m of form.querySelectorAll(".part-msg")) say(m, "");
  const body = {};
  for (const f of FIELDS) {
    const v = form.elements[f].value;
    if (form.elements[f].readOnly || v === shown[f]) continue;
    body[f] = f === "phones" ? v.split("\n").map((p) => p.trim()).filter(Boolean) : v;
  }
  if (!Object.keys(body).length) { say($("save-msg"), t("Nothing changed")); return; }
  setBusy($("save"), true, t("Saving…"));
  try {
    const d = await api("PATCH", url, body);
    show(d);
    say($("save-msg"), d.changed.length ? t("Saved: %(fields)s", { fields: fieldList(d.changed) }) : t("Nothing changed"));
  } catch (err) {
    const beside = form.querySelector(`.part-msg[data-for="${(err.field ?? "").split(".")[0]}"]`) ?? $("save-msg");
    say(beside, errorText(err), true);
  } finally { setBusy($("save"), false); }
}

form.addEventListener("submit", save);
followLive();
load();
