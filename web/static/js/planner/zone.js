// Dates and times in the centre's time zone (settings.timezone, sent by the API), never the
// browser's: Intl.DateTimeFormat with timeZone, in the page's language (24-hour). One home for
// the planner and shifts pages.
import { locale, t } from "../i18n.js";
import { darkLayout } from "../workspace/common.js";

// English keeps the day-month order the planners know ("14 Dec 2026"); zh_CN: 2026年12月14日.
const TAG = locale === "en" ? "en-GB" : locale.replace("_", "-");
const cache = new Map();

function fmt(tz, options) {
  const key = tz + JSON.stringify(options);
  if (!cache.has(key)) cache.set(key, new Intl.DateTimeFormat(TAG, { timeZone: tz, ...options }));
  return cache.get(key);
}

const at = (v) => (v instanceof Date ? v : new Date(v));
const DATE = { day: "numeric", month: "short", year: "numeric" };
const HM = { hour: "2-digit", minute: "2-digit", hourCycle: "h23" };

/** "14 Dec 2026" · 2026年12月14日 */
export const zDate = (v, tz) => fmt(tz, DATE).format(at(v));
/** "14 Dec 2026, 08:30" · 2026年12月14日 08:30 */
export const zDateTime = (v, tz) => (v ? fmt(tz, { ...DATE, ...HM }).format(at(v)) : "—");
/** "08:30" */
export const zTime = (v, tz) => fmt(tz, HM).format(at(v));
/** "Monday 14 Dec" · 12月14日星期一 */
export const zDay = (v, tz) => fmt(tz, { weekday: "long", day: "numeric", month: "short" }).format(at(v));
/** "Mon 14/12" · 12/14周一: a roster grid's column */
export const zDayShort = (v, tz) => fmt(tz, { weekday: "short", day: "numeric", month: "numeric" }).format(at(v));
/** "Mon 08:30" · 周一 08:30 */
export const zWeekdayTime = (v, tz) => fmt(tz, { weekday: "short", ...HM }).format(at(v));
/** "2026-12-14": the local date key of an instant */
export function zKey(v, tz) {
  const p = Object.fromEntries(fmt(tz, { year: "numeric", month: "2-digit", day: "2-digit" }).formatToParts(at(v)).map((x) => [x.type, x.value]));
  return `${p.year}-${p.month}-${p.day}`;
}
/** "Week of 14 Dec 2026" for a YYYY-MM-DD local date (a calendar date: no zone arithmetic) */
export function weekOf(isoDay) {
  const [y, m, d] = isoDay.split("-").map(Number);
  return t("Week of %(date)s", { date: fmt("UTC", DATE).format(new Date(Date.UTC(y, m - 1, d))) });
}
/** YYYY-MM-DD plus n days (calendar arithmetic) */
export function addDays(isoDay, n) {
  const [y, m, d] = isoDay.split("-").map(Number);
  return new Date(Date.UTC(y, m - 1, d + n)).toISOString().slice(0, 10);
}
/** The centre's zone, rendered into the page by web/planner/pages.py */
export const centreZone = () => document.getElementById("centre-zone")?.dataset.timezone || "UTC";
/** The charts' layout over time, its date ticks and hover in the page's language (d3 formats;
 * English keeps Plotly's own) */
export function timeLayout(extra) {
  const layout = darkLayout(extra);
  if (TAG.startsWith("zh")) Object.assign(layout.xaxis, { tickformat: "%-m月%-d日", hoverformat: "%-m月%-d日 %H:%M" });
  return layout;
}
