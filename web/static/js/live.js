// The live feed: one WebSocket, reconnected with backoff; messages handed over once per animation
// frame (a burst of events costs one repaint). After every (re)connect the page reloads its state
// through onOpen, so nothing missed while away stays missed. A close with SESSION_ENDED (the
// server's web/live/hub.py CLOSE_SESSION_ENDED: signed out, account disabled, session expired) is
// final: no reconnect, the reason is shown with a link to sign in again.
import { t } from "./i18n.js";

const SESSION_ENDED = 4401;
// The close reasons web/session/users.py session_states gives, in the page's language.
const ENDED = {
  "signed out": t("signed out"), "session expired": t("session expired"),
  "account disabled": t("account disabled"), "account deleted": t("account deleted"),
};

function showSessionEnded(reason) {
  if (document.getElementById("session-ended")) return;
  const box = document.createElement("div");
  box.id = "session-ended";
  box.className = "session-ended";
  box.setAttribute("role", "alert");
  const text = document.createElement("span");
  text.textContent = `${t("Live feed stopped: %(reason)s.", { reason })} `;
  const link = document.createElement("a");
  link.href = `/login?next=${encodeURIComponent(location.pathname)}`;
  link.textContent = t("Sign in again");
  box.append(text, link);
  document.body.prepend(box);
}

export function connectLive({ onOpen, onMessages, statusEl = document.getElementById("live-status") }) {
  let pending = [];
  let scheduled = false;
  let attempt = 0;
  let serverId = null;
  let ws = null;

  const setStatus = (state, text) => {
    if (!statusEl) return;
    statusEl.dataset.state = state;
    statusEl.querySelector(".label").textContent = text;
  };
  const flush = () => {
    scheduled = false;
    const batch = pending;
    pending = [];
    if (batch.some((m) => m.t === "resync")) {
      onOpen?.({ resync: true, restarted: false });
      window.dispatchEvent(new CustomEvent("cc:live-open"));
      return onMessages(batch.filter((m) => m.t !== "resync" && m.t !== "event"));
    }
    onMessages(batch);
    // the same batch for a page's other modules (e.g. desk/messages.js): one socket per page
    window.dispatchEvent(new CustomEvent("cc:live", { detail: batch }));
  };
  const open = () => {
    const proto = location.protocol === "https:" ? "wss:" : "ws:";
    ws = new WebSocket(`${proto}//${location.host}/ws`);
    setStatus("connecting", attempt ? t("reconnecting") : t("connecting"));
    ws.onmessage = (ev) => {
      let msgs;
      try { msgs = JSON.parse(ev.data); } catch { return; }
      for (const m of msgs) {
        if (m.t === "hello") {
          const restarted = serverId !== null && serverId !== m.server_id;
          serverId = m.server_id;
          attempt = 0;
          setStatus("live", t("live"));
          onOpen?.({ restarted, serverMs: m.server_ms });
          window.dispatchEvent(new CustomEvent("cc:live-open"));
          continue;
        }
        pending.push(m);
      }
      if (!scheduled && pending.length) {
        scheduled = true;
        if (document.hidden) setTimeout(flush, 250); else requestAnimationFrame(flush);
      }
    };
    ws.onclose = (ev) => {
      if (ev.code === SESSION_ENDED) {
        const reason = ENDED[ev.reason || "signed out"] ?? ev.reason;
        setStatus("ended", reason);
        showSessionEnded(reason);
        return;
      }
      setStatus("down", t("offline"));
      const delay = Math.min(10000, 300 * 2 ** attempt++) * (0.75 + Math.random() / 2);
      setTimeout(open, delay);
    };
  };
  open();
  return { close: () => ws?.close() };
}
