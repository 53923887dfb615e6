// The helpers every page uses, defined once: the element by id, a node built in one call, the
// toast, an API error as text, an action reported in one place, and the score bands.

import { t } from "./i18n.js";

export const $ = (id) => document.getElementById(id);

// <tag attrs...>children</tag>; "class" and "dataset" are set as properties, null attrs skipped.
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs ?? {})) {
    if (v === undefined || v === null) continue;
    if (k === "class") node.className = v;
    else if (k === "dataset") Object.assign(node.dataset, v);
    else node.setAttribute(k, v);
  }
  for (const c of children) if (c !== undefined && c !== null) node.append(c);
  return node;
}

export function setText(node, text) {
  if (node && node.textContent !== String(text)) node.textContent = text;
}

// The layout's #toast: a short message that fades after a few seconds.
export function toast(text, bad = false) {
  const box = $("toast");
  if (!box) return;
  box.textContent = text;
  box.dataset.kind = bad ? "bad" : "ok";
  box.classList.add("show");
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => box.classList.remove("show"), 4000);
}

// An error as the user reads it: the field the server named, then what was wrong with it.
export function errorText(err) {
  if (err?.field && err.field !== "body") {
    return t("%(field)s: %(message)s", { field: err.field, message: err.message });
  }
  return err?.message ?? String(err);
}

// Run an action and report how it went through `say` (the toast unless the page has its own
// message line): `done` on success, the error naming its field on failure. Returns what the
// action returned, or null when it failed.
export async function act(fn, done, say = toast) {
  try {
    const out = await fn();
    if (done) say(done);
    return out;
  } catch (err) {
    say(errorText(err), true);
    return null;
  }
}

// Score bands (0-100), one place for every page: an evaluation's score, and a scorecard's
// (a weighted KPI score, whose bands are lower).
export const SCORE_BANDS = {
  evaluation: { good: 85, warn: 60 },
  scorecard: { good: 80, warn: 50 },
};

export function scoreBand(score, bands = SCORE_BANDS.evaluation) {
  if (score == null) return "";
  return score >= bands.good ? "good" : score >= bands.warn ? "warn" : "bad";
}
