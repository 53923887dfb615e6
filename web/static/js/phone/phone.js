// The browser phone: SIP over WebSocket (JsSIP) and WebRTC audio behind a small API, used by the
// agent's desk (phone/panel.js) and by anything else that needs a phone in a page. It touches no
// DOM but the <audio> element it is given (without one Chromium decodes no remote samples). The
// SIP password lives in this module's private fields only: never in the DOM, a URL, storage or
// the console.
//
//   const phone = new Phone({ audio });
//   phone.addEventListener("change", () => render(phone.state));
//   phone.addEventListener("dtmf", (e) => e.detail);  // a digit the other party sent (INFO)
//   await phone.register(credentials);   // from GET /api/agent/phone
//   phone.answer(); phone.hold(); phone.unhold(); phone.mute(); phone.unmute();
//   phone.sendDtmf("12#"); phone.hangup();
//   await phone.devices(); await phone.setMicrophone(id); await phone.setSpeaker(id);
//   phone.resumeAudio(); phone.level(); await phone.quality();
//
// phone.state is {state, reason, message, line, call, ended}: state is "idle", "registering",
// "registered", "connecting" and "ready" (connected without registering), "ringing", "calling",
// "in_call" or "failed"; reason (when failed, or a line problem during a call) is a key of
// REASONS. The phone re-registers by itself after a network loss (the WebSocket reconnects with
// back-off, at once when the browser says it is online again), a registration the PBX did not
// confirm is retried, and a page load registers afresh; a refused one waits for a reload.
import JsSIP from "../../vendor/jssip.js";
import { LevelMeter } from "./meter.js";
import { callQuality } from "./quality.js";
import { preferCodecs } from "./sdp.js";
import { t } from "../i18n.js";

export const REASONS = {
  insecure_page: t("The browser phone needs the desk served over HTTPS."),
  microphone_denied: t("Microphone blocked: allow the microphone for this site in the browser, then reload the page."),
  no_microphone: t("No microphone found: connect one, then reload the page."),
  websocket_down: t("Registration lost: the phone system cannot be reached. Retrying…"),
  registration_refused: t("Registration refused: the phone system does not accept this desk's credentials. Ask your administrator."),
  registration_failed: t("Registration failed: the phone system did not confirm it. Retrying…"),
};

const CAUSES = JsSIP.C.causes;
const REFUSED = new Set([CAUSES.AUTHENTICATION_ERROR, CAUSES.REJECTED, CAUSES.NOT_FOUND]);

/** A control used when it cannot apply (answer with nothing ringing, hold with no call…). */
export class PhoneError extends Error {}

export class Phone extends EventTarget {
  #audio;
  #config = null;        // the credentials and settings: private, never exposed
  #ua = null;
  #session = null;
  #mic = null;           // the microphone stream (one per page; each call gets a clone)
  #callStream = null;
  #meter = null;
  #line = "idle";
  #reason = null;
  #call = null;          // {direction, state, remote, since_ms, held, remote_held, muted}
  #ended = null;         // {cause, at_ms} of the last call
  #retry = { timer: null, attempts: 0 };
  #lastQuality = null;
  #iceTimer = null;
  #stopping = false;

  /** @param {{audio: HTMLAudioElement}} options */
  constructor({ audio }) {
    super();
    this.#audio = audio;
    window.addEventListener("online", () => this.#online());
    window.addEventListener("offline", () => this.#lineFailed("websocket_down"));
  }

  /** A snapshot: {state, reason, message, line, call, ended}. */
  get state() {
    const state = this.#call?.state ?? (this.#line === "failed" ? "failed" : this.#line);
    return {
      state,
      reason: this.#reason,
      message: this.#reason ? REASONS[this.#reason] : null,
      line: this.#line,
      call: this.#call ? { ...this.#call } : null,
      ended: this.#ended ? { ...this.#ended } : null,
    };
  }

  /** Register with `credentials` and wait for calls (the agent's desk). */
  register(credentials) {
    return this.#start(credentials, true);
  }

  /** Connect without registering: calls out only (a caller's page). */
  connect(credentials) {
    return this.#start(credentials, false);
  }

  /** Call `target` (a SIP URI or a user at the phone's domain). */
  call(target) {
    if (!this.#ua) throw new PhoneError(t("the phone is not started"));
    if (this.#session) throw new PhoneError(t("already in a call"));
    this.#ua.call(target, { mediaStream: this.#newCallStream(), pcConfig: this.#pcConfig() });
    this.resumeAudio();
  }

  answer() {
    if (this.#call?.state !== "ringing") throw new PhoneError(t("no call is ringing"));
    this.#session.answer({ mediaStream: this.#newCallStream(), pcConfig: this.#pcConfig() });
    this.resumeAudio();
  }

  hangup() {
    if (!this.#session) throw new PhoneError(t("no call to hang up"));
    this.#session.terminate();
  }

  /** Hold by SIP re-INVITE (a=sendonly): the PBX plays its music to the other party. */
  hold() {
    if (!this.#session?.hold()) throw new PhoneError(t("the call cannot be held now"));
  }

  unhold() {
    if (!this.#session?.unhold()) throw new PhoneError(t("the call cannot be resumed now"));
  }

  /** Mute the microphone in this call (the track sends silence; no signalling). */
  mute() {
    this.#inCall().mute({ audio: true });
  }

  unmute() {
    this.#inCall().unmute({ audio: true });
  }

  /** Send DTMF digits (0-9, A-D, *, #), in the audio (RFC 2833) or by SIP INFO ([webrtc] dtmf). */
  sendDtmf(digits) {
    if (!/^[0-9A-D*#]+$/i.test(digits)) throw new PhoneError(t("not DTMF digits: %(digits)s", { digits }));
    const transportType = this.#config.dtmf === "info" ? "INFO" : "RFC2833";
    this.#inCall().sendDTMF(digits, { transportType });
  }

  /** The microphones and speakers, for the pickers (labels once the microphone is allowed). */
  async devices() {
    const all = await navigator.mediaDevices.enumerateDevices();
    const list = (kind) => all.filter((d) => d.kind === kind).map((d, i) => ({ id: d.deviceId, label: d.label || (kind === "audioinput" ? t("microphone %(n)s", { n: i + 1 }) : t("speaker %(n)s", { n: i + 1 })) }));
    return { inputs: list("audioinput"), outputs: list("audiooutput"), speaker: this.#audio.sinkId ?? "" };
  }

  /** Use another microphone, in the call too (the sender's track is replaced, mute kept). */
  async setMicrophone(deviceId) {
    const mic = await this.#openMicrophone(deviceId);
    const old = this.#mic;
    this.#mic = mic;
    this.#meter?.close();
    this.#meter = new LevelMeter(mic);
    const sender = this.#session?.connection?.getSenders().find((s) => s.track?.kind === "audio");
    if (sender) {
      const track = mic.getAudioTracks()[0].clone();
      track.enabled = !this.#call?.muted;
      const previous = sender.track;
      await sender.replaceTrack(track);
      previous?.stop();
      this.#callStream = new MediaStream([track]);
    }
    old?.getTracks().forEach((t) => t.stop());
    this.#emit();
  }

  /** Play the other party on another output device. */
  async setSpeaker(deviceId) {
    if (typeof this.#audio.setSinkId !== "function") throw new PhoneError(t("this browser cannot choose the speaker"));
    await this.#audio.setSinkId(deviceId);
  }

  /** Let audio start (call it from a click: browsers start audio only after a user gesture). */
  resumeAudio() {
    this.#meter?.resume();
  }

  /** The microphone's level now, 0..1. */
  level() {
    return this.#meter?.level() ?? 0;
  }

  /** The call's quality (round-trip time, jitter, loss, graded) or null without a call. */
  async quality() {
    const pc = this.#session?.connection;
    if (!pc || this.#call?.state !== "in_call") return null;
    const stats = await pc.getStats();
    this.#lastQuality = callQuality(stats.values(), this.#lastQuality);
    return this.#lastQuality;
  }

  /** Unregister and close (the page is going away). */
  stop() {
    this.#stopping = true;
    clearTimeout(this.#retry.timer);
    this.#ua?.stop();
    this.#ua = null;
    this.#meter?.close();
    this.#mic?.getTracks().forEach((t) => t.stop());
    this.#setLine("idle", null);
  }

  // --- start, registration, recovery ------------------------------------------------------------

  async #start(config, register) {
    if (this.#ua) throw new PhoneError(t("the phone is already started"));
    this.#config = { ...config, register };
    this.#stopping = false;
    if (!window.isSecureContext || !navigator.mediaDevices) return this.#lineFailed("insecure_page");
    try {
      this.#mic = await this.#openMicrophone();
    } catch (e) {
      return this.#lineFailed(e.name === "NotFoundError" || e.name === "OverconstrainedError" ? "no_microphone" : "microphone_denied");
    }
    this.#meter = new LevelMeter(this.#mic);
    this.#newUa();
  }

  #openMicrophone(deviceId) {
    const audio = { echoCancellation: true, noiseSuppression: true, autoGainControl: true };
    if (deviceId) audio.deviceId = { exact: deviceId };
    return navigator.mediaDevices.getUserMedia({ audio, video: false });
  }

  #newUa() {
    const c = this.#config;
    const ua = new JsSIP.UA({
      sockets: [new JsSIP.WebSocketInterface(c.ws_url)],
      uri: c.sip_uri,
      authorization_user: c.sip_user,
      password: c.password,
      display_name: c.display_name,
      register: c.register,
      register_expires: c.register_expires_s,
      connection_recovery_min_interval: c.reconnect_min_s,
      connection_recovery_max_interval: c.reconnect_max_s,
      user_agent: "callcenter-desk JsSIP",
    });
    // a lost line stays "failed: websocket_down" through the reconnection attempts
    ua.on("connecting", () => { if (this.#line === "idle") this.#setLine(c.register ? "registering" : "connecting", null); });
    ua.on("connected", () => this.#setLine(c.register ? "registering" : "ready", null));
    ua.on("disconnected", () => { if (!this.#stopping && this.#ua === ua) this.#lineFailed("websocket_down"); });
    ua.on("registered", () => {
      this.#retry.attempts = 0;
      this.#setLine("registered", null);
    });
    ua.on("unregistered", () => {
      // also emitted when the WebSocket closes, which "disconnected" has reported already
      if (!this.#stopping && this.#ua === ua && ua.isConnected()) this.#retryRegister("registration_failed");
    });
    ua.on("registrationFailed", (e) => {
      if (this.#ua !== ua) return;
      if (e.cause === CAUSES.CONNECTION_ERROR) return this.#lineFailed("websocket_down");
      if (REFUSED.has(e.cause)) return this.#lineFailed("registration_refused");
      this.#retryRegister("registration_failed", e.cause === CAUSES.REQUEST_TIMEOUT);
    });
    ua.on("newRTCSession", (e) => this.#newSession(e));
    this.#ua = ua;
    ua.start();
  }

  // Retried with back-off ([webrtc] reconnect_min_s..reconnect_max_s): a PBX restarting must
  // not leave desks unregistered. A registration that timed out on an open WebSocket means the
  // connection is dead: start afresh (after the call, if one is in progress).
  #retryRegister(reason, restart = false) {
    this.#lineFailed(reason);
    clearTimeout(this.#retry.timer);
    const c = this.#config;
    const delay = Math.min(c.reconnect_max_s, c.reconnect_min_s * 2 ** this.#retry.attempts++);
    this.#retry.timer = setTimeout(() => {
      if (this.#stopping || !this.#ua) return;
      if (this.#session) return this.#retryRegister(reason, restart);
      if (restart || !this.#ua.isConnected()) this.#restart();
      else this.#ua.register();
    }, delay * 1000 * (0.75 + Math.random() / 2));
  }

  #restart() {
    const old = this.#ua;
    this.#ua = null;
    old?.removeAllListeners();
    old?.stop();
    this.#newUa();
  }

  #online() {  // the browser is back online: reconnect now rather than at the next back-off
    if (this.#line === "failed" && this.#reason === "websocket_down" && this.#ua && !this.#session) this.#restart();
  }

  #setLine(line, reason) {
    this.#line = line;
    this.#reason = reason;
    this.#emit();
  }

  #lineFailed(reason) {
    this.#setLine("failed", reason);
  }

  // --- calls ---------------------------------------------------------------------------------------

  #newSession({ session, originator, request }) {
    if (this.#session) {  // one call at a time: a second one is busy
      if (originator === "remote") session.terminate({ status_code: 486, reason_phrase: "Busy Here" });
      return;
    }
    this.#session = session;
    this.#lastQuality = null;
    const who = originator === "remote" ? request.from : request.to;
    this.#call = {
      direction: originator === "remote" ? "incoming" : "outgoing",
      state: originator === "remote" ? "ringing" : "calling",
      remote: who.display_name || who.uri.user || "unknown",
      remote_uri: who.uri.toString(),
      since_ms: Date.now(),
      held: false,
      remote_held: false,
      muted: false,
    };
    if (session.connection) this.#attachAudio(session.connection);
    session.on("peerconnection", (e) => this.#attachAudio(e.peerconnection));
    session.on("sdp", (e) => {
      if (e.type === "offer") e.sdp = preferCodecs(e.sdp, this.#config.codecs);
    });
    session.on("icecandidate", (e) => {  // do not wait for slow STUN/TURN servers for ever
      if (!this.#iceTimer) this.#iceTimer = setTimeout(() => { this.#iceTimer = null; e.ready(); }, 2000);
    });
    session.on("accepted", () => this.#update({ state: "in_call", since_ms: Date.now() }));
    session.on("hold", (e) => this.#update(e.originator === "local" ? { held: true } : { remote_held: true }));
    session.on("unhold", (e) => this.#update(e.originator === "local" ? { held: false } : { remote_held: false }));
    session.on("newDTMF", (e) => {  // digits the other party sent by SIP INFO
      if (e.originator === "remote") this.dispatchEvent(new CustomEvent("dtmf", { detail: e.dtmf.tone }));
    });
    session.on("muted", () => this.#update({ muted: true }));
    session.on("unmuted", () => this.#update({ muted: false }));
    session.on("ended", (e) => this.#endCall(session, e.cause));
    session.on("failed", (e) => this.#endCall(session, e.cause));
    this.#emit();
  }

  #attachAudio(pc) {
    pc.addEventListener("track", (e) => {
      if (e.track.kind !== "audio") return;
      this.#audio.srcObject = e.streams[0] ?? new MediaStream([e.track]);
      this.#audio.play().catch(() => {});  // allowed: the page is capturing the microphone
    });
  }

  #pcConfig() {
    const servers = this.#config.ice_servers ?? [];
    return { iceServers: servers.map(({ urls, username, credential }) => (username ? { urls, username, credential } : { urls })) };
  }

  #newCallStream() {
    this.#callStream = this.#mic.clone();
    return this.#callStream;
  }

  #inCall() {
    if (!this.#session || this.#call?.state !== "in_call") throw new PhoneError(t("no call in progress"));
    return this.#session;
  }

  #update(fields) {
    if (!this.#call) return;
    Object.assign(this.#call, fields);
    this.#emit();
  }

  #endCall(session, cause) {
    if (session !== this.#session) return;
    clearTimeout(this.#iceTimer);
    this.#iceTimer = null;
    this.#session = null;
    this.#call = null;
    this.#ended = { cause, at_ms: Date.now() };
    this.#callStream?.getTracks().forEach((t) => t.stop());
    this.#callStream = null;
    this.#audio.srcObject = null;
    this.#emit();
  }

  #emit() {
    this.dispatchEvent(new Event("change"));
  }
}
