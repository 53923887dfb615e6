// The live feed: one WebSocket, reconnected with backoff; messages handed over once per animation
// frame (a burst of events costs one repaint). After every (re)connect the page reloads its state
// through onOpen, so nothing missed while away stays missed.
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
      return onMessages(batch.filter((m) => m.t !== "resync" && m.t !== "event"));
    }
    onMessages(batch);
  };
  const open = () => {
    const proto = location.protocol === "https:" ? "wss:" : "ws:";
    ws = new WebSocket(`${proto}//${location.host}/ws`);
    setStatus("connecting", attempt ? "reconnecting" : "connecting");
    ws.onmessage = (ev) => {
      let msgs;
      try { msgs = JSON.parse(ev.data); } catch { return; }
      for (const m of msgs) {
        if (m.t === "hello") {
          const restarted = serverId !== null && serverId !== m.server_id;
          serverId = m.server_id;
          attempt = 0;
          setStatus("live", "live");
          onOpen?.({ restarted, serverMs: m.server_ms });
          continue;
        }
        pending.push(m);
      }
      if (!scheduled && pending.length) {
        scheduled = true;
        if (document.hidden) setTimeout(flush, 250); else requestAnimationFrame(flush);
      }
    };
    ws.onclose = () => {
      setStatus("down", "offline");
      const delay = Math.min(10000, 300 * 2 ** attempt++) * (0.75 + Math.random() / 2);
      setTimeout(open, delay);
    };
  };
  open();
  return { close: () => ws?.close() };
}
