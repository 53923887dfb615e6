// The admin's Agents page: every agent with team, skills and levels, endpoint, phone kind; add
// an agent or change one through web/admin/http.py (audited; skills reach routing at once).
import { api } from "../api.js";
import { followLive } from "../workspace/common.js";
import { $, act, el } from "../helpers.js";
import { t } from "../i18n.js";
import { loadChanges, parseSkills, skillsText, submit } from "./form.js";

let editing = null; // null: a new agent
// the settings file's phone kinds as the page names them (the ids stay machine names)
const PHONE = { device: t("desk phone"), webrtc: t("browser phone") };

function edit(a) {
  editing = a?.agent_id ?? null;
  const f = $("agent-form");
  $("editor").hidden = false;
  $("editor-title").textContent = a ? t("Agent %(id)s", { id: a.agent_id }) : t("New agent");
  $("id-field").hidden = Boolean(a);
  f.agent_id.value = a?.agent_id ?? "";
  f.name.value = a?.name ?? "";
  f.team.value = a?.team ?? "";
  f.skills.value = skillsText(a?.skills);
  f.endpoint.value = a?.endpoint ?? "";
  f.active.checked = a?.active ?? true;
}

function body(f) {
  const out = { name: f.name.value.trim() || null, team: f.team.value.trim() || null, skills: parseSkills(f.skills.value), endpoint: f.endpoint.value.trim() || null, active: f.active.checked };
  if (editing === null) out.agent_id = f.agent_id.value.trim();
  return out;
}

async function load() {
  const data = await act(() => api("GET", "/api/admin/agents"));
  if (!data) return;
  const teams = [...new Set(data.agents.map((a) => a.team).filter(Boolean))].sort();
  $("team-list").replaceChildren(...teams.map((name) => el("option", { value: name })));
  $("agents").replaceChildren(...data.agents.map((a) => {
    const btn = el("button", { class: "btn", type: "button", "data-action": "edit" }, t("Edit"));
    btn.onclick = () => edit(a);
    return el("tr", { dataset: { agent: a.agent_id } },
      el("td", {}, el("strong", {}, a.name), el("div", { class: "note" }, a.agent_id)),
      el("td", {}, a.team ?? "—"),
      el("td", { class: "skills" }, skillsText(a.skills) || "—"),
      el("td", {}, a.endpoint),
      el("td", { dataset: { phone: a.phone ?? "" } }, PHONE[a.phone] ?? a.phone ?? "—"),
      el("td", {}, el("span", { class: `pill ${a.active ? "good" : "bad"}` }, a.active ? t("active") : t("inactive"))),
      el("td", {}, btn));
  }));
  await loadChanges("agent", $("changes"));
  return data;
}

$("new-agent").onclick = () => edit(null);
$("agent-form").onsubmit = async (e) => {
  e.preventDefault();
  const b = body(e.target);
  const id = editing ?? b.agent_id;
  const done = editing === null
    ? await submit(e.target, "POST", "/api/admin/agents", b, t("agent %(id)s added", { id }))
    : await submit(e.target, "PATCH", `/api/admin/agents/${encodeURIComponent(id)}`, b, t("agent %(id)s saved", { id }));
  if (done) {
    const data = await load();
    edit(data?.agents.find((a) => a.agent_id === id) ?? null);
  }
};

load();
followLive();
