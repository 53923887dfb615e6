// The admin's Users page: every user with role, agent, active and sign-in locks; add a user,
// disable or enable, reset a password, unlock (web/users/http.py; each change is audited).
import { api } from "../api.js";
import { followLive, localTime } from "../workspace/common.js";
import { $, act, el } from "../helpers.js";

const path = (name, what) => `/api/users/${encodeURIComponent(name)}/${what}`;

function lockCell(u) {
  if (!u.locked_until) return el("td", {}, "—");
  const where = u.locks.map((l) => (l.address ? `from ${l.address}` : "everywhere")).join(", ");
  return el("td", { class: "due late" }, `${localTime(u.locked_until)} · ${where}`);
}

function actions(u) {
  const td = el("div", { class: "btn-row" });
  if (u.locked_until) {
    td.append(el("button", { class: "btn btn-primary", type: "button", "data-action": "unlock" }, "Unlock"));
    td.lastChild.onclick = () => change(() => api("POST", path(u.username, "unlock")), `${u.username} unlocked`);
  }
  const toggle = el("button", { class: "btn", type: "button", "data-action": u.active ? "disable" : "enable" }, u.active ? "Disable" : "Enable");
  toggle.onclick = () => change(() => api("POST", path(u.username, "active"), { active: !u.active }), `${u.username} ${u.active ? "disabled" : "enabled"}`);
  td.append(toggle);
  // a wallboard screen's session never expires: ending it is how its access is revoked
  const revoke = el("button", { class: "btn", type: "button", "data-action": "revoke" }, "End sessions");
  revoke.onclick = () => change(() => api("POST", path(u.username, "sessions/revoke")), `sessions of ${u.username} ended`);
  td.append(revoke);
  return el("td", {}, td);
}

async function load() {
  const data = await act(() => api("GET", "/api/users"));
  if (!data) return;
  const locked = data.users.filter((u) => u.locked_until).length;
  $("locked-count").textContent = `${locked} locked`;
  $("locked-count").className = `pill ${locked ? "bad" : "good"}`;
  $("users").replaceChildren(...data.users.map((u) => el("tr", { dataset: { user: u.username } },
    el("td", {}, el("strong", {}, u.username), el("div", { class: "note" }, u.display_name ?? "")),
    el("td", {}, u.role),
    el("td", {}, u.agent_id ?? "—"),
    el("td", {}, el("span", { class: `pill ${u.active ? "good" : "bad"}` }, u.active ? "active" : "disabled")),
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
  if (await change(() => api("POST", "/api/users", body), `${body.username} added`)) e.target.reset();
};
$("reset-password").onsubmit = async (e) => {
  e.preventDefault();
  const { username, password } = formBody(e.target);
  await change(() => api("POST", path(username, "password"), { password }), `password of ${username} reset`);
  e.target.password.value = "";
};

load();
followLive();
