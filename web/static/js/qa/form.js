// Renders a QA form (sections of items: yes/no or a 0..max scale, N/A where allowed, critical
// items marked) into a container, and reads the answers back.
import { SCORE_BANDS, scoreBand } from "../helpers.js";
import { t } from "../i18n.js";
let seq = 0;

export function renderForm(container, definition, answers = {}) {
  const form = document.createElement("div");
  form.className = "qa-form";
  const uid = `f${++seq}`;
  for (const section of definition.sections) {
    const box = document.createElement("section");
    box.className = "qa-section";
    const h = document.createElement("h3");
    const weight = section.items.reduce((s, i) => s + i.weight, 0);
    h.innerHTML = `<span></span><span class="note"></span>`;
    h.firstChild.textContent = section.name;
    h.firstChild.translate = false; // the form's own words (data), in the language it was written in
    h.lastChild.textContent = t("%(n)s pts", { n: weight });
    box.append(h);
    for (const item of section.items) {
      const row = document.createElement("div");
      row.className = "qa-item";
      row.dataset.item = item.id;
      const text = document.createElement("div");
      const words = document.createElement("span");
      words.textContent = item.text;
      words.translate = false;
      text.append(words);
      const w = document.createElement("span"); w.className = "w"; w.textContent = t("%(n)s pts", { n: item.weight }); text.append(w);
      if (item.critical) { const c = document.createElement("span"); c.className = "crit"; c.textContent = t("critical item"); text.append(c); }
      const choice = document.createElement("div");
      choice.className = "choice";
      const values = item.kind === "scale" ? Array.from({ length: item.max + 1 }, (_, i) => i) : ["yes", "no"];
      if (item.na_allowed) values.push("na");
      for (const v of values) {
        const label = document.createElement("label");
        if (typeof v === "number") label.className = "scale";
        const input = document.createElement("input");
        input.type = "radio"; input.name = `${uid}-${item.id}`; input.value = String(v);
        input.dataset.item = item.id;
        if (answers[item.id] !== undefined && String(answers[item.id]) === String(v)) input.checked = true;
        label.append(input, v === "na" ? t("N/A") : typeof v === "number" ? String(v) : v === "yes" ? t("Yes") : t("No"));
        choice.append(label);
      }
      row.append(text, choice);
      box.append(row);
    }
    form.append(box);
  }
  container.replaceChildren(form);
}

export function readAnswers(container, definition) {
  const out = {};
  const missing = [];
  for (const section of definition.sections) for (const item of section.items) {
    const checked = container.querySelector(`input[data-item="${CSS.escape(item.id)}"]:checked`);
    if (!checked) { missing.push(item.id); continue; }
    out[item.id] = /^\d+$/.test(checked.value) ? Number(checked.value) : checked.value;
  }
  return { answers: out, missing };
}

// An evaluation's score band (the bands are helpers.js's SCORE_BANDS).
export const scoreClass = (score) => scoreBand(score, SCORE_BANDS.evaluation);
