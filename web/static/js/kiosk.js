// The kiosk view of a wall screen (role "wallboard", or a supervisor): the centre's totals, one
// large tile per queue and today's chart; read only. Figures arrive every second over the live
// feed; each queue's tile is kept and updated in place.
import { api } from "./api.js";
import { duration, pct, time } from "./format.js";
import { t } from "./i18n.js";
import { connectLive } from "./live.js";
import { $, el, setText } from "./helpers.js";
import { drawDay } from "./wallboard/day_chart.js";
import { centreTotals } from "./wallboard/figures.js";
import { alertsText } from "./wallboard/labels.js";

const tiles = new Map();

function tile(q) {
  let tile = tiles.get(q.queue_id);
  if (!tile) {
    const fig = (cls, label) => el("div", { class: cls }, el("b"), el("span", {}, label));
    tile = el("article", { class: "kiosk-queue", dataset: { queue: q.queue_id } },
      el("h2", {}, q.name), fig("k-q-waiting", t("waiting")), fig("k-q-longest", t("longest")),
      fig("k-q-sl", t("SL today")), fig("k-q-ready", t("ready")), fig("k-q-oncall", t("on call")),
      el("p", { class: "k-q-alert" }));
    tiles.set(q.queue_id, tile);
    $("kiosk-queues").append(tile);
  }
  const set = (cls, v) => setText(tile.querySelector(`.${cls} b`), v);
  set("k-q-waiting", q.waiting);
  set("k-q-longest", duration(q.longest_wait_s));
  set("k-q-sl", pct(q.day.service_level_pct));
  set("k-q-ready", q.agents.ready ?? 0);
  set("k-q-oncall", (q.agents.on_call ?? 0) + (q.agents.offered ?? 0));
  setText(tile.querySelector(".k-q-alert"), alertsText(q.alerts));
  tile.dataset.alert = q.alerts.length ? "yes" : "no";
}

function paint(queues) {
  queues.forEach(tile);
  const total = centreTotals(queues);
  setText($("k-waiting"), total.waiting);
  setText($("k-longest"), duration(total.longestWaitS));
  setText($("k-sl"), pct(total.serviceLevelPct));
  setText($("k-abandon"), pct(total.abandonedPct));
}

async function load() {
  paint((await api("GET", "/api/wallboard/queues")).queues);
  await drawDay("kiosk-chart", "", 22);
}

const clock = () => setText($("k-clock"), time(Date.now()));
clock();
setInterval(clock, 1000);
setInterval(() => drawDay("kiosk-chart", "", 22).catch(() => {}), 60000);
connectLive({
  onOpen: () => load().catch(() => {}),
  onMessages: (msgs) => { for (const m of msgs) if (m.t === "stats") paint(m.queues); },
});
