// Ringing an agent cannot miss: while an offer rings the page plays a ring tone (Web Audio, so
// nothing to download), shows a desktop notification and flashes the tab title; all three stop
// when the offer is answered or ends. Browsers keep audio silent until the user's first click
// (their autoplay rule), so the desk unlocks the audio then and shows a banner until it has;
// the notification permission is asked on that same click, once.
//
// The page reports what it does on <body>: data-audio ("on" / "locked"), data-ringing ("1" from
// the moment the tone's oscillators start until it stops) and data-ring-bursts (bursts played to
// their end, so the audio clock really ran).

import { t } from "./i18n.js";

const TONE_HZ = [400, 450];   // the dual tone of a ringing phone
const BURSTS_S = [[0, 0.4], [0.6, 0.4]];  // two short bursts in each cadence
const CADENCE_MS = 3000;
const FLASH_MS = 1000;

export function startRinger(banner) {
  const body = document.body;
  const title = document.title;
  let audio = null;        // the AudioContext, made once
  let ringingFor = null;   // the offer's call id while it rings
  let cadence = null;      // the tone's timer
  let flash = null;        // the title's timer
  let note = null;         // the desktop notification
  const voices = new Set();  // oscillators scheduled and not yet ended
  body.dataset.ringing = "0";
  body.dataset.ringBursts = "0";

  function context() {
    const Ctx = window.AudioContext ?? window.webkitAudioContext;
    if (!audio && Ctx) audio = new Ctx();
    return audio;
  }

  function showAudioState() {
    const on = audio?.state === "running";
    body.dataset.audio = on ? "on" : "locked";
    banner.hidden = on;
  }

  // The first click (or key) unlocks the audio and asks for the notification permission (once).
  let asked = false;
  function unlock() {
    if (!asked && window.Notification?.permission === "default") {
      asked = true;
      Notification.requestPermission().catch(() => {});
    }
    const ctx = context();
    const done = () => {
      showAudioState();
      if (ctx?.state === "running" || !ctx) {
        document.removeEventListener("pointerdown", unlock);
        document.removeEventListener("keydown", unlock);
      }
    };
    if (ctx) ctx.resume().then(done, done);
    else done();
  }

  function burst(ctx, at, length) {
    const gain = ctx.createGain();
    gain.gain.setValueAtTime(0.0001, at);
    gain.gain.exponentialRampToValueAtTime(0.2, at + 0.02);
    gain.gain.setValueAtTime(0.2, at + length - 0.03);
    gain.gain.exponentialRampToValueAtTime(0.0001, at + length);
    gain.connect(ctx.destination);
    TONE_HZ.forEach((hz, i) => {
      const osc = ctx.createOscillator();
      osc.frequency.value = hz;
      osc.connect(gain);
      voices.add(osc);
      osc.onended = () => {
        voices.delete(osc);
        gain.disconnect();
        if (i === 0) body.dataset.ringBursts = String(Number(body.dataset.ringBursts) + 1);
      };
      osc.start(at);
      osc.stop(at + length);
    });
  }

  function playCadence() {
    const ctx = audio;
    if (ctx?.state !== "running") return;  // still locked: the banner says so
    const at = ctx.currentTime + 0.05;
    for (const [offset, length] of BURSTS_S) burst(ctx, at + offset, length);
    body.dataset.ringing = "1";
  }

  function notify(queue, caller) {
    if (window.Notification?.permission !== "granted") return;
    try {
      note = new Notification(t("☎ Incoming call — %(queue)s", { queue }), {
        body: caller ? t("from %(caller)s", { caller }) : t("Answer it on your desk"), tag: "callcenter-offer", requireInteraction: true,
      });
      note.onclick = () => { window.focus(); note?.close(); };
    } catch { note = null; }  // e.g. a browser that allows notifications from a service worker only
  }

  function start(callId, queue, caller) {
    ringingFor = callId;
    const flashed = t("☎ Incoming call — %(queue)s", { queue });
    document.title = flashed;
    flash = setInterval(() => { document.title = document.title === flashed ? title : flashed; }, FLASH_MS);
    playCadence();
    cadence = setInterval(playCadence, CADENCE_MS);
    notify(queue, caller);
  }

  function stop() {
    ringingFor = null;
    clearInterval(cadence);
    clearInterval(flash);
    for (const osc of voices) { osc.onended = null; try { osc.stop(); } catch { /* not started yet */ } }
    voices.clear();
    document.title = title;
    note?.close();
    note = null;
    body.dataset.ringing = "0";
  }

  context();
  showAudioState();
  document.addEventListener("pointerdown", unlock);
  document.addEventListener("keydown", unlock);
  audio?.addEventListener("statechange", () => {
    showAudioState();
    if (ringingFor && audio.state === "running" && body.dataset.ringing !== "1") playCadence();
  });

  return {
    // Ring for this offer (idempotent), or stop ringing when there is none (null).
    offer(callId, queue, caller) {
      if (callId === ringingFor) return;
      if (ringingFor) stop();
      if (callId) start(callId, queue ?? t("a queue"), caller);
    },
  };
}
