// Labels of machine ids (statuses, categories, KPI names...) in the page's language: the page's
// <script type="application/json" id="labels">, written by the server from its N_ maps
// (web/i18n/labels.py). An id without a label is shown as itself, underscores as spaces.
const node = document.getElementById("labels");
const maps = node ? JSON.parse(node.textContent) : {};

export function labelOf(map, id) {
  if (id == null) return "—";
  return maps[map]?.[id] ?? String(id).replaceAll("_", " ");
}
