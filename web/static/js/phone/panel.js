// The browser phone panel of the agent's desk (templates/phone/panel.html): the phone's state
// and call, its controls and keypad, microphone and speaker pickers, the input level and the
// call quality. The desk calls startPhonePanel() once; it returns the Phone (so the desk's own
// Answer button can answer in the browser), or null when the agent has a desk phone or no PBX
// is configured. Credentials go straight from the API into the phone and nowhere else.
import { api } from "../api.js";
import { duration } from "../format.js";
import { Phone, PhoneError } from "./phone.js";
import { t } from "../i18n.js";

const LABELS = {
  starting: t("starting"), idle: t("phone off"), registering: t("registering"), registered: t("registered"),
  connecting: t("connecting"), ready: t("ready"), ringing: t("ringing"), calling: t("calling"),
  in_call: t("in call"), failed: t("failed"),
};
const SHORT = {
  websocket_down: t("registration lost"), registration_refused: t("registration refused"),
  registration_failed: t("not registered"), microphone_denied: t("microphone blocked"),
  no_microphone: t("no microphone"), insecure_page: t("needs HTTPS"),
};
const GRADES = { none: "—", good: t("good"), fair: t("fair"), poor: t("poor") };
const NO_MICROPHONE = new Set(["microphone_denied", "no_microphone", "insecure_page"]);

/** @returns {Phone|null} */
export function startPhonePanel(root = document.getElementById("phone-panel")) {
  if (!root || root.dataset.configured !== "yes") return null;
  const part = (id) => root.querySelector(`#${id}`);  // an element of this panel
  const phone = new Phone({ audio: part("phone-audio") });

  const usePhone = (fn) => {  // a PhoneError is said on the panel, not thrown
    try {
      phone.resumeAudio();
      fn();
    } catch (e) {
      if (!(e instanceof PhoneError)) throw e;
      say(e.message, true);
    }
  };
  const say = (text, bad = false) => {
    part("phone-message").textContent = text ?? "";
    part("phone-message").dataset.kind = bad ? "bad" : "ok";
  };

  function render() {
    const s = phone.state;
    const pill = part("phone-state");
    const shown = s.call?.held ? "held" : s.state;
    pill.dataset.phone = shown;
    pill.textContent = s.state === "failed" ? SHORT[s.reason] ?? t("failed") : shown === "held" ? t("on hold") : LABELS[s.state] ?? s.state;
    root.dataset.phone = s.state;
    root.dataset.line = s.line;
    if (s.message) say(s.message, true);
    else if (s.call?.remote_held) say(t("The other party put the call on hold."));
    else if (s.call) say(s.call.muted ? t("Your microphone is muted.") : "");
    else if (s.ended) say(t("Last call ended: %(cause)s.", { cause: s.ended.cause.toLowerCase() }));
    else say(s.state === "registered" ? t("Ready to ring when a call is offered.") : "");
    const call = s.call;
    const talking = call?.state === "in_call";
    part("phone-call").hidden = !call;
    if (call) {
      part("phone-direction").textContent = call.direction === "incoming" ? (talking ? t("Talking to") : t("Incoming call from")) : t("Calling");
      part("phone-remote").textContent = call.remote;
    }
    part("phone-answer").hidden = call?.state !== "ringing";
    part("phone-hangup").hidden = !call;
    part("phone-hold").hidden = !talking || call.held;
    part("phone-unhold").hidden = !talking || !call.held;
    part("phone-mute").hidden = !talking || call.muted;
    part("phone-unmute").hidden = !talking || !call.muted;
    part("phone-keypad").hidden = !talking;
    part("phone-quality").hidden = !talking;
    part("phone-devices").hidden = NO_MICROPHONE.has(s.reason);
  }

  async function fillDevices() {
    const { inputs, outputs, speaker } = await phone.devices();
    const fill = (select, list, current) => {
      select.replaceChildren(...list.map((d) => new Option(d.label, d.id, false, d.id === current)));
      select.disabled = list.length < 2;
    };
    fill(part("phone-mic"), inputs, part("phone-mic").value);
    fill(part("phone-speaker"), outputs, speaker);
  }

  function tick() {
    const level = phone.level();
    part("phone-level").style.width = `${Math.round(level * 100)}%`;
    part("phone-level").dataset.level = level.toFixed(2);
    const call = phone.state.call;
    part("phone-timer").textContent = call ? duration((Date.now() - call.since_ms) / 1000) : "0:00";
  }

  async function showQuality() {
    const q = await phone.quality();
    if (!q) return;
    const el = part("phone-quality");
    el.dataset.grade = q.grade;
    const fig = (v, unit) => (v == null ? "—" : `${v} ${unit}`);
    part("phone-quality-text").textContent = t("%(grade)s · round trip %(rtt)s · jitter %(jitter)s · loss %(loss)s", {
      grade: GRADES[q.grade] ?? q.grade, rtt: fig(q.rtt_ms, "ms"), jitter: fig(q.jitter_ms, "ms"), loss: fig(q.loss_pct, "%"),
    });
    el.title = t("%(codec)s: %(in)s bytes in, %(out)s bytes out", { codec: q.codec ?? "?", in: q.bytes_received, out: q.bytes_sent });
    Object.assign(el.dataset, {
      codec: q.codec ?? "", bytesIn: q.bytes_received, bytesOut: q.bytes_sent, energyIn: q.audio_energy,
    });
  }

  part("phone-answer").onclick = () => usePhone(() => phone.answer());
  part("phone-hangup").onclick = () => usePhone(() => phone.hangup());
  part("phone-hold").onclick = () => usePhone(() => phone.hold());
  part("phone-unhold").onclick = () => usePhone(() => phone.unhold());
  part("phone-mute").onclick = () => usePhone(() => phone.mute());
  part("phone-unmute").onclick = () => usePhone(() => phone.unmute());
  part("phone-keypad").onclick = (e) => {
    const tone = e.target.closest("[data-tone]")?.dataset.tone;
    if (tone) usePhone(() => phone.sendDtmf(tone));
  };
  part("phone-mic").onchange = (e) => phone.setMicrophone(e.target.value).catch((err) => say(err.message, true));
  part("phone-speaker").onchange = (e) => phone.setSpeaker(e.target.value).catch((err) => say(err.message, true));
  document.addEventListener("pointerdown", () => phone.resumeAudio(), { once: true });
  navigator.mediaDevices?.addEventListener("devicechange", () => fillDevices().catch(() => {}));
  window.addEventListener("pagehide", () => phone.stop());
  phone.addEventListener("change", render);
  setInterval(tick, 200);
  setInterval(() => showQuality().catch(() => {}), 1000);

  api("GET", "/api/agent/phone")
    .then((credentials) => phone.register(credentials))
    .then(() => fillDevices())
    .catch((e) => say(t("The browser phone could not start: %(error)s", { error: e.message }), true));
  render();
  return phone;
}
