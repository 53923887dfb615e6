// Agents' time off and swap requests for the planner: each pending one shows the check it would
// have (labour rules, coverage); Approve re-checks and changes the roster, Refuse closes it.
import { api } from "../api.js";
import { followLive } from "../workspace/common.js";
import { $, errorText, toast } from "../helpers.js";
import { t } from "../i18n.js";
import { checkText, emptyRow } from "./check.js";
import { centreZone, zDay, zTime } from "./zone.js";

const TZ = centreZone();
const STATUS = { pending: "blue", approved: "good", refused: "bad" };
const STATUS_LABEL = { pending: t("pending"), approved: t("approved"), refused: t("refused") };
const when = (iso) => `${zDay(iso, TZ)} ${zTime(iso, TZ)}`;

function cell(tr, text, cls) {
  const td = document.createElement("td");
  td.textContent = text;
  if (cls) td.className = cls;
  tr.append(td);
  return td;
}

function row(r) {
  const tr = document.createElement("tr");
  tr.dataset.request = r.request_id;
  tr.dataset.status = r.status;
  cell(tr, `${r.agent_name} (${r.agent_id})`);
  cell(tr, t("%(when)s · roster %(id)s", { when: when(r.shift_start_at), id: r.roster_id }));
  cell(tr, r.kind === "time_off" ? t("Time off")
    : r.with_shift_start_at ? t("Swap: %(name)s takes it, gives %(when)s", { name: r.with_agent_name, when: when(r.with_shift_start_at) })
      : t("Swap: %(name)s takes it", { name: r.with_agent_name }));
  cell(tr, r.reason || "—");
  const check = cell(tr, checkText(r.check), "check");
  if (r.check && !r.check.allowed) check.dataset.kind = "bad";
  const st = document.createElement("td");
  st.innerHTML = `<span class="pill ${STATUS[r.status] ?? ""}"></span>`;
  st.firstChild.textContent = STATUS_LABEL[r.status] ?? r.status;
  tr.append(st);
  const actions = document.createElement("td");
  if (r.status === "pending") {
    for (const [label, approve, cls] of [[t("Approve"), true, "btn-good"], [t("Refuse"), false, "btn-bad"]]) {
      const b = document.createElement("button");
      b.type = "button";
      b.className = `btn ${cls}`;
      b.textContent = label;
      b.dataset.approve = String(approve);
      if (approve && r.check && !r.check.allowed) b.disabled = true;
      b.addEventListener("click", () => decide(r, approve, tr));
      actions.append(b);
    }
  }
  tr.append(actions);
  return tr;
}

async function decide(r, approve, tr) {
  try {
    const done = await api("POST", `/api/planner/shift-requests/${r.request_id}/decision`, { approve });
    tr.replaceWith(row(done));
    toast(approve ? t("Approved: %(check)s", { check: checkText(done.check) }) : t("Refused"));
  } catch (err) { toast(errorText(err), true); load(); }
}

async function load() {
  let data;
  try { data = await api("GET", "/api/planner/shift-requests"); } catch (err) { toast(errorText(err), true); return; }
  $("requests").replaceChildren(...(data.requests.length ? data.requests.map(row)
    : [emptyRow(7, t("No requests."))]));
  document.body.dataset.requests = "ready";
}

load();
followLive();
