// Formatting shared by the pages, in the page's language and the centre's time zone (Intl):
// 24-hour times, zh_CN dates as 2026年12月7日.
import { locale, timeZone } from "./i18n.js";

const tag = locale.replace("_", "-");

export function duration(seconds) {
  if (seconds == null || !isFinite(seconds)) return "—";
  const s = Math.max(0, Math.floor(seconds));
  const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), r = s % 60;
  return h ? `${h}:${String(m).padStart(2, "0")}:${String(r).padStart(2, "0")}` : `${m}:${String(r).padStart(2, "0")}`;
}
export const pct = (v) => (v == null || !isFinite(v) ? "—" : new Intl.NumberFormat(tag, { style: "percent", maximumFractionDigits: 0 }).format(v / 100));
export const label = (state) => (state ?? "").replace("_", " ");

const dateFmt = new Intl.DateTimeFormat(tag, { timeZone, year: "numeric", month: tag.startsWith("zh") ? "long" : "short", day: "numeric" });
const timeFmt = new Intl.DateTimeFormat(tag, { timeZone, hour: "2-digit", minute: "2-digit", hourCycle: "h23" });
const numberFmt = new Intl.NumberFormat(tag);

const toDate = (v) => (v instanceof Date ? v : new Date(v));
// A day (2026年12月7日 / Dec 7, 2026), a time of day (14:05), both, in the centre's time zone.
export const date = (v) => (v == null ? "—" : dateFmt.format(toDate(v)));
export const time = (v) => (v == null ? "—" : timeFmt.format(toDate(v)));
export const dateTime = (v) => (v == null ? "—" : `${date(v)} ${time(v)}`);
// A calendar day given as YYYY-MM-DD (a report's from/to), formatted as it is: no time zone shift.
const dayFmt = new Intl.DateTimeFormat(tag, { timeZone: "UTC", year: "numeric", month: tag.startsWith("zh") ? "long" : "short", day: "numeric" });
export const day = (isoDay) => (isoDay ? dayFmt.format(new Date(`${isoDay}T00:00:00Z`)) : "—");
export const number = (v) => (v == null || !isFinite(v) ? "—" : numberFmt.format(v));
// A day of the week with its date (Mon 7 / 7日周一), in the centre's time zone.
const weekdayFmt = new Intl.DateTimeFormat(tag, { timeZone, weekday: "short", day: "numeric" });
export const weekday = (v) => (v == null ? "—" : weekdayFmt.format(toDate(v)));
