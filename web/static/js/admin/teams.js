// The admin's Teams page: each team with its agents; rename a team, choose its agents, or start
// a new one (web/admin/http.py; audited).
import { api } from "../api.js";
import { followLive } from "../workspace/common.js";
import { $, act, el } from "../helpers.js";
import { t } from "../i18n.js";
import { loadChanges, submit } from "./form.js";

let agents = [];
let editing = null; // the team's current name; null: a new team

function edit(team) {
  editing = team?.team ?? null;
  const f = $("team-form");
  $("editor").hidden = false;
  $("editor-title").textContent = team ? t("Team %(name)s", { name: team.team }) : t("New team");
  f.name.value = team?.team ?? "";
  const members = new Set(team?.agents ?? []);
  $("members").replaceChildren(...agents.map((a) => el("label", { class: "check" },
    el("input", { type: "checkbox", name: "agent", value: a.agent_id, ...(members.has(a.agent_id) ? { checked: "" } : {}) }),
    ` ${a.name} (${a.agent_id})${a.team && !members.has(a.agent_id) ? ` · ${t("now in %(team)s", { team: a.team })}` : ""}`)));
}

async function load() {
  const [teams, all] = await Promise.all([act(() => api("GET", "/api/admin/teams")), act(() => api("GET", "/api/admin/agents"))]);
  if (!teams || !all) return null;
  agents = all.agents;
  const names = Object.fromEntries(agents.map((a) => [a.agent_id, a.name]));
  $("teams").replaceChildren(...teams.teams.map((team) => {
    const btn = el("button", { class: "btn", type: "button", "data-action": "edit" }, t("Edit"));
    btn.onclick = () => edit(team);
    return el("tr", { dataset: { team: team.team } }, el("td", {}, el("strong", {}, team.team)),
      el("td", {}, team.agents.map((a) => names[a] ?? a).join(", ")), el("td", {}, btn));
  }));
  await loadChanges("team", $("changes"));
  return teams;
}

$("new-team").onclick = () => edit(null);
$("team-form").onsubmit = async (e) => {
  e.preventDefault();
  const f = e.target;
  const name = f.name.value.trim();
  const chosen = [...f.querySelectorAll('input[name="agent"]:checked')].map((i) => i.value);
  const done = editing === null
    ? await submit(f, "POST", "/api/admin/teams", { name, agents: chosen }, t("team %(name)s saved", { name }))
    : await submit(f, "PUT", `/api/admin/teams/${encodeURIComponent(editing)}`, { name, agents: chosen }, t("team %(name)s saved", { name }));
  if (done) {
    const teams = await load();
    edit(teams?.teams.find((x) => x.team === name) ?? null);
  }
};

load();
followLive();
