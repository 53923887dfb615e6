// The supervisors' call scripts editor (web/scripts): load a queue's script, save it with PUT
// /api/scripts/{queue}; a refused part's message shows beside that part.
import { api } from "../api.js";
import { followLive, localTime, setBusy } from "../workspace/common.js";
import { $, errorText } from "../helpers.js";
import { t } from "../i18n.js";

const form = $("script-form");
const SECTIONS = ["greeting", "verification", "closing"];
const PART_LABELS = { greeting: t("greeting"), verification: t("verification"), closing: t("closing"), phrases: t("phrases") };
const url = () => `/api/scripts/${encodeURIComponent($("queue").value)}`;

function say(node, text, bad = false) {
  node.textContent = text ?? "";
  node.dataset.kind = bad ? "bad" : "ok";
}

function clearMessages() {
  for (const m of form.querySelectorAll(".part-msg")) say(m, "");
}

function show(s) {
  for (const name of SECTIONS) form.elements[name].value = s[name];
  form.elements.phrases.value = s.phrases.join("\n");
  $("script-state").textContent = s.is_default
    ? t("%(queue)s: the defaults, never edited.", { queue: s.queue_name })
    : t("%(queue)s: last changed by %(user)s, %(when)s.", { queue: s.queue_name, user: s.updated_by, when: localTime(s.updated_at) });
}

async function load() {
  clearMessages();
  try { show(await api("GET", url())); } catch (err) { say($("save-msg"), errorText(err), true); }
}

async function save(e) {
  e.preventDefault();
  clearMessages();
  const body = Object.fromEntries(SECTIONS.map((n) => [n, form.elements[n].value]));
  body.phrases = form.elements.phrases.value.split("\n").map((p) => p.trim()).filter(Boolean);
  setBusy($("save"), true, t("Saving…"));
  try {
    const s = await api("PUT", url(), body);
    show(s);
    say($("save-msg"), s.changed.length ? t("Saved: %(fields)s", { fields: s.changed.map((p) => PART_LABELS[p] ?? p).join(t(", ")) }) : t("No change to save"));
  } catch (err) {
    const part = (err.field ?? "").split(".")[0];
    const beside = form.querySelector(`.part-msg[data-for="${part}"]`) ?? $("save-msg");
    say(beside, errorText(err), true);
  } finally { setBusy($("save"), false); }
}

$("queue").addEventListener("change", load);
form.addEventListener("submit", save);
followLive();
load();
