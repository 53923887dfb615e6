// The admin's Users page: every user with role, agent, active and sign-in locks; add a user,
// disable or enable, reset a password, unlock (web/users/http.py; each change is audited).
import { api } from "../api.js";
import { followLive } from "../workspace/common.js";
import { $, act, el } from "../helpers.js";
import { t } from "../i18n.js";
import { dateTime } from "../format.js";

// roles as the page names them (the ids stay machine names)
const ROLE = { agent: t("agent"), supervisor: t("supervisor"), planner: t("planner"), qa: t("qa"), admin: t("admin"), wallboard: t("wallboard") };

const path = (name, what) => `/api/users/${encodeURIComponent(name)}/${what}`;

function lockCell(u) {
  if (!u.locked_until) return el("td", {}, "—");
  const where = u.locks.map((l) => (l.address ? t("from %(address)s", { address: l.address }) : t("everywhere"))).join(", ");
  return el("td", { class: "due late" }, `${dateTime(u.locked_until)} · ${where}`);
}

function actions(u) {
  const td = el("div", { class: "btn-row" });
  if (u.locked_until) {
    td.append(el("button", { class: "btn btn-primary", type: "button", "data-action": "unlock" }, t("Unlock")));
    td.lastChild.onclick = () => change(() => api("POST", path(u.username, "unlock")), t("%(user)s unlocked", { user: u.username }));
  }
  const toggle = el("button", { class: "btn", type: "button", "data-action": u.active ? "disable" : "enable" }, u.active ? t("Disable") : t("Enable"));
  toggle.onclick = () => change(() => api("POST", path(u.username, "active"), { active: !u.active }), u.active ? t("%(user)s disabled", { user: u.username }) : t("%(user)s enabled", { user: u.username }));
  td.append(toggle);
  // a wallboard screen's session never expires: ending it is how its access is revoked
  const revoke = el("button", { class: "btn", type: "button", "data-action": "revoke" }, t("End sessions"));
  revoke.onclick = () => change(() => api("POST", path(u.username, "sessions/revoke")), t("sessions of %(user)s ended", { user: u.username }));
  td.append(revoke);
  return el("td", {}, td);
}

async function load() {
  const data = await act(() => api("GET", "/api/users"));
  if (!data) return;
  const locked = data.users.filter((u) => u.locked_until).length;
  $("locked-count").textContent = t("%(count)s locked", { count: locked });
  $("locked-count").className = `pill ${locked ? "bad" : "good"}`;
  $("users").replaceChildren(...data.users.map((u) => el("tr", { dataset: { user: u.username } },
    el("td", {}, el("strong", {}, u.username), el("div", { class: "note" }, u.display_name ?? "")),
    el("td", { dataset: { role: u.role } }, ROLE[u.role] ?? u.role),
    el("td", {}, u.agent_id ?? "—"),
    el("td", {}, el("span", { class: `pill ${u.active ? "good" : "bad"}` }, u.active ? t("active") : t("disabled"))),
    lockCell(u),
    actions(u))));
  const chosen = $("reset-user").value;
  $("reset-user").replaceChildren(...data.users.map((u) => el("option", { value: u.username }, u.username)));
  if (chosen) $("reset-user").value = chosen;
}

async function change(fn, done) {
  const ok = (await act(fn, done)) !== null;
  if (ok) await load();
  return ok;
}

function formBody(form) {
  return Object.fromEntries([...new FormData(form).entries()].filter(([, v]) => v !== ""));
}

$("add-user").onsubmit = async (e) => {
  e.preventDefault();
  const body = formBody(e.target);
  if (await change(() => api("POST", "/api/users", body), t("%(user)s added", { user: body.username }))) e.target.reset();
};
$("reset-password").onsubmit = async (e) => {
  e.preventDefault();
  const { username, password } = formBody(e.target);
  await change(() => api("POST", path(username, "password"), { password }), t("password of %(user)s reset", { user: username }));
  e.target.password.value = "";
};

load();
followLive();
