// The call's queue's script beside the call on the agent's desk (GET /api/scripts/{queue}):
// greeting, verification, closing and the standard phrases, {queue} and {agent} filled in.
import { api } from "../api.js";
import { $, el, setText } from "../helpers.js";

const cache = new Map();  // queue id -> its script, loaded once per page
let shown = null;         // the queue whose script is on screen

const fill = (text, queue, agent) => text.replaceAll("{queue}", queue).replaceAll("{agent}", agent);

// queueId: the call's queue; null hides the card; undefined keeps what is shown (the wrap-up).
export async function showScript(queueId, agentName) {
  const card = $("script-card");
  if (queueId === undefined || queueId === shown) return;
  shown = queueId;
  if (!queueId) { card.hidden = true; return; }
  let s = cache.get(queueId);
  if (!s) {
    try { s = await api("GET", `/api/scripts/${encodeURIComponent(queueId)}`); } catch { card.hidden = true; return; }
    cache.set(queueId, s);
  }
  if (shown !== queueId) return;  // another call came meanwhile
  setText($("script-queue"), s.queue_name);
  for (const part of ["greeting", "verification", "closing"]) setText($(`script-${part}`), fill(s[part], s.queue_name, agentName));
  $("script-phrases").replaceChildren(...s.phrases.map((p) => el("li", {}, fill(p, s.queue_name, agentName))));
  card.hidden = false;
}
