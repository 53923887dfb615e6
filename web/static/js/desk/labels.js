// The page labels of the machine ids the desk and the customer card show: agent and call states,
// not-ready reasons, dispositions, customer tiers, complaint fields, outbound task words. The ids
// stay what the API says (tests and CSVs read them); only what a person reads is translated. An
// id the centre configured itself (its own reason or disposition) shows as the id, spaced.
import { t } from "../i18n.js";

const STATES = {
  logged_out: t("logged out"), ready: t("ready"), not_ready: t("not ready"), on_call: t("on call"),
  wrap_up: t("wrap up"), offered: t("ringing"), ringing: t("ringing"), held: t("held"),
  talking: t("talking"), ended: t("ended"),
};
const REASONS = {
  break: t("break"), lunch: t("lunch"), training: t("training"), meeting: t("meeting"),
  rona: t("rona"), unreachable: t("unreachable"),
};
const DISPOSITIONS = {
  resolved: t("resolved"), information: t("information"), complaint: t("complaint"),
  follow_up: t("follow up"), sale: t("sale"), wrong_number: t("wrong number"), none_given: t("none given"),
};
const TIERS = { ordinary: t("ordinary"), key_account: t("key account"), vip: t("vip") };
const CATEGORIES = {
  quality: t("quality complaint"), service: t("service complaint"), other: t("other"),
  product_quality: t("product quality"), service_attitude: t("service attitude"),
  delivery: t("delivery"), billing: t("billing"),
};
const SEVERITIES = { low: t("low"), medium: t("medium"), high: t("high"), critical: t("critical") };
const COMPLAINT_STATUSES = {
  open: t("open"), acknowledged: t("acknowledged"), in_progress: t("in progress"),
  resolved: t("resolved"), closed: t("closed"), reopened: t("reopened"),
};
const TASK_KINDS = { return_visit: t("return visit"), callback: t("callback") };
const TASK_STATUSES = {
  scheduled: t("scheduled"), queued: t("queued"), connected: t("connected"), done: t("done"),
  cancelled: t("cancelled"),
};
// outbound attempts' outcomes and the calls' own (the customer card's history)
const OUTCOMES = {
  reached: t("reached"), no_answer: t("no answer"), busy: t("busy"), wrong_number: t("wrong number"),
  refused: t("refused to talk"), answered: t("answered"), abandoned: t("abandoned"),
  transferred: t("transferred"), failed: t("failed"), timeout: t("timed out"), connected: t("connected"),
  callback: t("callback"), not_connected: t("not connected"),
};
const DIRECTIONS = { inbound: t("inbound"), outbound: t("outbound") };

const spaced = (id) => String(id ?? "").replaceAll("_", " ");
const from = (map) => (id) => (id == null || id === "" ? "—" : map[id] ?? spaced(id));

export const stateLabel = from(STATES);
export const reasonLabel = from(REASONS);
export const dispositionLabel = from(DISPOSITIONS);
export const tierLabel = from(TIERS);
export const categoryLabel = from(CATEGORIES);
export const severityLabel = from(SEVERITIES);
export const complaintStatusLabel = from(COMPLAINT_STATUSES);
export const taskKindLabel = from(TASK_KINDS);
export const taskStatusLabel = from(TASK_STATUSES);
export const outcomeLabel = from(OUTCOMES);
export const directionLabel = from(DIRECTIONS);

// A command the phone system refused (command.failed): its error as Asterisk said it.
export const refused = (p) => (p.error ?? p.message
  ? t("the phone system refused: %(error)s", { error: p.error ?? p.message })
  : t("the phone system refused the command"));
