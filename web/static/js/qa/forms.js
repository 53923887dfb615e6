// The admin's form editor: the definition as JSON with a live preview; saving a changed form
// stores a new version (evaluations keep theirs).
import { api } from "../api.js";
import { setBusy, debounce, followLive } from "../workspace/common.js";
import { dateTime } from "../format.js";
import { t } from "../i18n.js";
import { renderForm } from "./form.js";
import { $, errorText, toast } from "../helpers.js";

function paint(data) {
  $("version").textContent = t("version %(n)s", { n: data.form.version });
  $("definition").value = JSON.stringify(data.form.definition, null, 2);
  renderForm($("preview"), data.form.definition);
  $("versions").replaceChildren(...[...data.versions].reverse().map((v) => {
    const tr = document.createElement("tr");
    for (const x of [v.version, v.form_version_id, dateTime(v.created_at)]) { const td = document.createElement("td"); td.textContent = x; tr.append(td); }
    return tr;
  }));
}

$("definition").addEventListener("input", debounce(() => {
  try { renderForm($("preview"), JSON.parse($("definition").value)); $("form-error").textContent = ""; }
  catch (err) { $("form-error").textContent = t("Not valid JSON yet: %(error)s", { error: err.message }); }
}, 400));
$("save").addEventListener("click", async () => {
  let definition;
  try { definition = JSON.parse($("definition").value); } catch (err) { $("form-error").textContent = t("Not valid JSON: %(error)s", { error: err.message }); return; }
  setBusy($("save"), true, t("Saving…"));
  try {
    const data = await api("PUT", "/api/qa/forms/current", { definition });
    paint(data);
    $("form-error").textContent = "";
    toast(data.created ? t("Saved as version %(n)s", { n: data.form.version }) : t("No change: still the same version"));
  } catch (err) { $("form-error").textContent = errorText(err); } finally { setBusy($("save"), false); }
});
api("GET", "/api/qa/forms/current").then(paint).catch((err) => toast(errorText(err), true));
followLive();
