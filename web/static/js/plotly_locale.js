// Plotly's own words in the page's language: its locale module (Plotly.register) with the mode
// bar's tooltips from the catalog and month and day names from Intl, so a chart's date axis reads
// 12月7日 in zh_CN. Spread `plotlyLocale` into a chart's config: {...PLOT_CONFIG, ...plotlyLocale}.
import { locale, t } from "./i18n.js";

const tag = locale.replace("_", "-");

function names(kind, count, first, step) {
  const fmt = new Intl.DateTimeFormat(tag, { [kind.key]: kind.width, timeZone: "UTC" });
  return Array.from({ length: count }, (_, i) => fmt.format(new Date(Date.UTC(2026, first(i), step(i)))));
}
const MONTH = (width) => names({ key: "month", width }, 12, (i) => i, () => 1);
const DAY = (width) => names({ key: "weekday", width }, 7, () => 0, (i) => 4 + i); // 2026-01-04: a Sunday

const ZH_FORMATS = { date: "%Y-%m-%d", dayMonth: "%-m月%-d日", dayMonthYear: "%Y年%-m月%-d日", month: "%Y年%-m月", year: "%Y年" };

function register() {
  if (!window.Plotly || locale === "en") return {};
  window.Plotly.register({
    moduleType: "locale",
    name: tag,
    dictionary: {
      "Download plot as a PNG": t("Download plot as a PNG"), "Download plot": t("Download plot"),
      "Share chart...": t("Share chart…"), "Share chart": t("Share chart"),
      Zoom: t("Zoom"), Pan: t("Pan"), "Zoom in": t("Zoom in"), "Zoom out": t("Zoom out"),
      Autoscale: t("Autoscale"), "Reset axes": t("Reset axes"), "Toggle Spike Lines": t("Toggle spike lines"),
      "Show closest data on hover": t("Show closest data on hover"), "Compare data on hover": t("Compare data on hover"),
      "Box Select": t("Box select"), "Lasso Select": t("Lasso select"),
      "Double-click to zoom back out": t("Double-click to zoom back out"),
    },
    format: {
      days: DAY("long"), shortDays: DAY("short"), months: MONTH("long"), shortMonths: MONTH("short"),
      ...(tag.startsWith("zh") ? ZH_FORMATS : {}),
    },
  });
  return { locale: tag };
}

export const plotlyLocale = register();
