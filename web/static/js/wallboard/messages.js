// The wallboard's message form: a message to one agent or a whole team, shown on their desks
// until each acknowledges it (POST /api/messages); what went wrong is shown beside Send.
import { api } from "../api.js";
import { $, errorText, setText } from "../helpers.js";
import { t } from "../i18n.js";

const form = $("message-form");
form.addEventListener("submit", async (e) => {
  e.preventDefault();
  const [kind, id] = form.to.value.split(/:(.*)/s);
  setText($("message-error"), "");
  setText($("message-sent"), "");
  const button = form.querySelector("button");
  button.disabled = true;
  try {
    const body = { text: form.text.value.trim() };
    if (kind === "team") body.team = id; else body.agent_id = id || null;
    const out = await api("POST", "/api/messages", body);
    setText($("message-sent"), t("sent to %(agents)s", { agents: out.agent_ids.join(", ") }));
    form.text.value = "";
  } catch (err) {
    setText($("message-error"), errorText(err));
  } finally {
    button.disabled = false;
  }
});
