// What the admin pages (agents, queues, teams) share: skill levels as text, the server's field
// errors shown beside their fields (the form keeps everything typed), the recent changes list.
import { api, ApiError } from "../api.js";
import { el, errorText, toast } from "../helpers.js";
import { t } from "../i18n.js";
import { dateTime } from "../format.js";

// the audit log's actions as the page names them (the ids stay machine names)
const ACTION = { "agent.add": t("agent added"), "agent.update": t("agent changed"), "queue.update": t("queue changed"), "team.update": t("team changed") };

// {sales: 5, support: 3} <-> "sales:5, support:3"; a level that is no number is sent as typed,
// so the server names it (skills.sales).
export const skillsText = (skills) => Object.entries(skills ?? {}).map(([s, l]) => `${s}:${l}`).join(", ");
export function parseSkills(text) {
  const out = {};
  for (const part of text.split(",").map((p) => p.trim()).filter(Boolean)) {
    const [skill, level = ""] = part.split(":").map((p) => p.trim());
    out[skill] = level;
  }
  return out;
}

export function clearErrors(form) {
  for (const m of form.querySelectorAll(".part-msg")) { m.textContent = ""; delete m.dataset.kind; }
  for (const i of form.querySelectorAll("[aria-invalid]")) i.removeAttribute("aria-invalid");
}

// The message beside the field the server named: the longest data-for that is the field or a
// prefix of it ("escalation.0.after", else "escalation"), else the form's own line.
function messageFor(form, field) {
  const parts = field.split(".");
  for (let n = parts.length; n > 0; n--) {
    const m = form.querySelector(`.part-msg[data-for="${CSS.escape(parts.slice(0, n).join("."))}"]`);
    if (m) return m;
  }
  return form.querySelector('.part-msg[data-for="body"]');
}

export function showErrors(form, err) {
  const fields = err instanceof ApiError && err.body?.fields ? err.body.fields : [{ field: err.field ?? "body", message: err.message }];
  for (const f of fields) {
    const m = messageFor(form, f.field ?? "body");
    if (!m) continue;
    const own = m.dataset.for === f.field || m.dataset.for === "body";
    m.textContent = [m.textContent, own ? f.message : `${f.field}: ${f.message}`].filter(Boolean).join(" · ");
    m.dataset.kind = "bad";
    const input = form.querySelector(`[name="${CSS.escape(f.field)}"]`);
    if (input) input.setAttribute("aria-invalid", "true");
  }
  toast(errorText(err), true);
}

// Send a change; on failure the errors go beside their fields and the form is left as typed.
// Returns the response, or null when it failed.
export async function submit(form, method, path, body, done) {
  clearErrors(form);
  try {
    const out = await api(method, path, body);
    toast(Object.keys(out.changed ?? {}).length ? done : t("nothing to change"));
    return out;
  } catch (err) {
    showErrors(form, err);
    return null;
  }
}

const levels = (v) => v && typeof v === "object" && !Array.isArray(v) && Object.values(v).every((x) => typeof x === "number");
const shown = (v) => (v === null || v === undefined ? "—" : levels(v) ? skillsText(v) || t("none") : typeof v === "object" ? JSON.stringify(v) : String(v));

export async function loadChanges(kind, node) {
  const data = await api("GET", `/api/admin/changes/${kind}`).catch(() => null);
  if (!data) return;
  node.replaceChildren(...data.changes.map((c) => el("li", { dataset: { id: c.entity_id } },
    el("strong", {}, `${c.entity_id} `), el("span", { class: "note" }, `${dateTime(c.at)} · ${c.actor} · ${ACTION[c.action] ?? c.action}`),
    el("div", {}, ...c.fields.map((f) => el("div", { class: "note" }, `${f}: ${shown(c.before[f])} → ${shown(c.after[f])}`))))));
  if (!data.changes.length) node.replaceChildren(el("li", { class: "note" }, t("No changes yet.")));
}
