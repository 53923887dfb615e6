// A shift request's check (labour rules, coverage) in the page's language, from its figures
// (web/planner/requests.py CheckOut); a rule break names the agent and the rule as the server
// wrote it.
import { t } from "../i18n.js";

const signed = (v) => `${v > 0 ? "+" : ""}${v.toFixed(1)}`;

export function checkText(check) {
  if (!check) return "—";
  const rules = check.allowed
    ? t("Labour rules hold")
    : t("Breaks labour rules: %(rules)s", { rules: check.rule_breaks.join("; ") });
  const { short_before_h: before, short_after_h: after } = check;
  if (before == null || after == null) return rules;
  const delta = after - before;
  const cover = Math.abs(delta) < 0.05
    ? t("coverage unchanged")
    : t("%(delta)s agent-hours short of the requirement (%(before)s → %(after)s)", { delta: signed(delta), before: before.toFixed(1), after: after.toFixed(1) });
  return t("%(rules)s; %(cover)s.", { rules, cover });
}

// The one row of a requests table that has none.
export function emptyRow(columns, text) {
  const tr = document.createElement("tr");
  const td = Object.assign(document.createElement("td"), { className: "note", colSpan: columns, textContent: text });
  tr.append(td);
  return tr;
}
