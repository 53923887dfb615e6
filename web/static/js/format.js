// Small formatting helpers shared by the pages.
export function duration(seconds) {
  if (seconds == null || !isFinite(seconds)) return "—";
  const s = Math.max(0, Math.floor(seconds));
  const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), r = s % 60;
  return h ? `${h}:${String(m).padStart(2, "0")}:${String(r).padStart(2, "0")}` : `${m}:${String(r).padStart(2, "0")}`;
}
export const pct = (v) => (v == null || !isFinite(v) ? "—" : `${Math.round(v)}%`);
export const label = (state) => (state ?? "").replace("_", " ");

