// A call's recording beside the QA form: the audio (seek, speed 0.75x-2x), its waveform (peaks
// computed by the platform, drawn with Plotly, click to seek) and comments at a time position.
// One playback session per page (POST .../plays: the audit row); the audio element's range
// requests carry the session's token.
import { api } from "../api.js";
import { duration } from "../format.js";
import { $, el, errorText } from "../helpers.js";
import { t } from "../i18n.js";

const SPEEDS = [0.75, 1, 1.25, 1.5, 2];
const pending = [];
const LIST = t(", "); // between the items of a list

function clock(s) {
  const whole = Math.max(0, Math.floor(s));
  return `${Math.floor(whole / 60)}:${String(whole % 60).padStart(2, "0")}`;
}

function commentRow(audio, c, isNew) {
  const at = el("button", { type: "button", class: "btn btn-ghost rec-at" }, clock(c.at_s));
  at.addEventListener("click", () => { audio.currentTime = c.at_s; });
  return el("li", { class: isNew ? "rec-comment new" : "rec-comment" }, at, " ", c.text, c.author ? el("span", { class: "muted" }, ` — ${c.author}`) : "");
}

function drawWave(audio, peaks) {
  const n = peaks.peaks.length;
  const x = peaks.peaks.map((_, i) => (i + 0.5) * peaks.duration_s / n);
  const trace = { x, y: peaks.peaks, type: "bar", marker: { color: "#5b7bd5" }, hoverinfo: "x" };
  const mirror = { x, y: peaks.peaks.map((p) => -p), type: "bar", marker: { color: "#5b7bd5" }, hoverinfo: "skip" };
  const layout = { barmode: "overlay", bargap: 0, showlegend: false, height: 110, margin: { l: 4, r: 4, t: 4, b: 24 },
    paper_bgcolor: "rgba(0,0,0,0)", plot_bgcolor: "rgba(0,0,0,0)", font: { color: "#9aa4b2" },
    yaxis: { visible: false, range: [-1, 1] }, xaxis: { range: [0, peaks.duration_s], ticksuffix: t(" s") },
    shapes: [{ type: "line", x0: 0, x1: 0, y0: -1, y1: 1, line: { color: "#d33", width: 2 } }] };
  Plotly.newPlot("rec-wave", [trace, mirror], layout, { displayModeBar: false, responsive: true });
  $("rec-wave").on("plotly_click", (ev) => { if (ev.points.length) audio.currentTime = ev.points[0].x; });
  audio.addEventListener("timeupdate", () => {
    Plotly.relayout("rec-wave", { "shapes[0].x0": audio.currentTime, "shapes[0].x1": audio.currentTime });
  });
}

export function pendingComments() {
  return pending.map(({ at_s, text }) => ({ at_s, text }));
}

export async function mountPlayer(box, callId, { commenting = false } = {}) {
  const id = encodeURIComponent(callId);
  let info;
  try {
    info = await api("GET", `/api/recordings/${id}`);
  } catch (err) {
    box.replaceChildren(el("p", { class: "muted", id: "rec-status" }, err.status === 404 ? t("This call was not recorded.") : errorText(err)));
    return;
  }
  if (info.purged_at) {
    box.replaceChildren(el("p", { class: "muted", id: "rec-status" }, t("The recording was deleted at the end of its retention.")));
    return;
  }
  const { audio_url } = await api("POST", `/api/recordings/${id}/plays`);
  const audio = el("audio", { id: "rec-audio", controls: "", preload: "metadata", src: audio_url });
  const speed = el("select", { id: "rec-speed", "aria-label": t("Playback speed") }, ...SPEEDS.map((s) => el("option", { value: String(s) }, `${s}x`)));
  speed.value = "1";
  speed.addEventListener("change", () => { audio.playbackRate = Number(speed.value); });
  const list = el("ul", { id: "rec-comments", class: "rec-comments" }, ...info.comments.map((c) => commentRow(audio, c, false)));
  const facts = el("p", { class: "muted" }, t("%(duration)s recorded", { duration: duration(info.duration_s) }) + (info.paused_spans.length ? t(", paused %(spans)s (silence)", { spans: info.paused_spans.map(([a, b]) => `${clock(a)}–${clock(b)}`).join(LIST) }) : ""));
  const parts = [el("div", { class: "btn-row" }, audio, el("label", {}, t("Speed"), " ", speed)), el("div", { id: "rec-wave" }), facts, list];
  if (commenting) {
    const text = el("input", { id: "rec-comment-text", type: "text", maxlength: "2000", placeholder: t("Comment at the current position"), "aria-label": t("Comment at the current position") });
    const add = el("button", { id: "rec-comment-add", type: "button", class: "btn" }, t("Add comment"));
    add.addEventListener("click", () => {
      const value = text.value.trim();
      if (!value) return;
      const c = { at_s: Math.round(audio.currentTime * 10) / 10, text: value };
      pending.push(c);
      list.append(commentRow(audio, c, true));
      text.value = "";
    });
    parts.push(el("div", { class: "btn-row" }, text, add), el("p", { class: "muted" }, t("Comments are saved with the evaluation.")));
  }
  parts.push(el("a", { href: `/api/recordings/${id}/download`, id: "rec-download" }, t("Download")));
  box.replaceChildren(...parts);
  try {
    drawWave(audio, await api("GET", `/api/recordings/${id}/peaks`));
  } catch (err) {
    $("rec-wave").textContent = errorText(err);
  }
}
