// The supervisors' pages' words (wallboard, kiosk, reports) for machine ids: agent states,
// not-ready reasons, customer tiers, monitoring modes, dispositions, complaints' categories and
// deadlines, a queue's alerts; in the page's language. The ids stay as the API sends them (and
// as CSV/XLSX columns and values carry them); an id without a label is shown as it is.
import { duration, pct } from "../format.js";
import { t } from "../i18n.js";

const STATE = {
  ready: t("ready"), offered: t("offered"), on_call: t("on call"), wrap_up: t("wrap-up"),
  not_ready: t("not ready"), logged_out: t("logged out"),
};
const REASON = {
  break: t("break"), lunch: t("lunch"), training: t("training"), meeting: t("meeting"),
  rona: t("no answer (rang out)"), unreachable: t("phone unreachable"),
};
const TIER = { ordinary: t("ordinary"), key_account: t("key account"), vip: t("VIP") };
const MODE = { listen: t("listen"), whisper: t("whisper"), barge: t("barge") };
const SEVERITY = { low: t("low"), medium: t("medium"), high: t("high"), critical: t("critical") };
const CATEGORY = {
  quality: t("quality complaint"), service: t("service complaint"), other: t("other"),
  product_quality: t("product quality"), service_attitude: t("service attitude"), delivery: t("delivery"), billing: t("billing"),
};
const DISPOSITION = {
  resolved: t("resolved"), information: t("information"), complaint: t("complaint"), follow_up: t("follow-up"),
  sale: t("sale"), wrong_number: t("wrong number"),
};
const DEADLINE = { acknowledge: t("acknowledgement overdue"), resolve: t("resolution overdue") };

const known = (table) => (id) => (id == null || id === "" ? "" : table[id] ?? String(id).replaceAll("_", " "));
export const stateLabel = known(STATE);
export const reasonLabel = known(REASON);
export const tierLabel = known(TIER);
export const modeLabel = known(MODE);
export const severityLabel = known(SEVERITY);
export const categoryLabel = known(CATEGORY);
export const deadlineLabel = known(DEADLINE);
export const dispositionLabel = known(DISPOSITION);

// A queue's alert (web/supervisor/wallboard.py queue_alerts: a kind and its figures) in words.
export function alertText(a) {
  if (a.kind === "service_level") return t("service level %(sl)s below %(target)s", { sl: pct(a.sl_pct), target: pct(a.target_pct) });
  if (a.kind === "long_wait") return t("longest wait %(wait)s", { wait: duration(a.wait_s) });
  if (a.kind === "no_agent") return t("calls waiting, no agent working");
  return a.kind;
}
export const alertsText = (alerts) => alerts.map(alertText).join(" · ");
