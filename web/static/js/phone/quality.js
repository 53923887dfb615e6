// Call quality from RTCPeerConnection.getStats(): round-trip time, jitter and loss, graded the
// way a person reads a signal indicator. Pure: a list of stats reports in, figures out.

// good: within ITU-T G.114's comfortable mouth-to-ear delay, no audible gaps; poor: people
// talk over each other or lose words.
const GOOD = { rtt_ms: 300, jitter_ms: 30, loss_pct: 1 };
const POOR = { rtt_ms: 500, jitter_ms: 60, loss_pct: 5 };

/**
 * @param {Iterable<object>} reports the values of an RTCStatsReport
 * @param {object|null} previous the last result, for the loss since then
 * @returns {{grade: "none"|"good"|"fair"|"poor", rtt_ms: number|null, jitter_ms: number|null,
 *   loss_pct: number|null, codec: string|null, packets_received: number, packets_lost: number,
 *   bytes_received: number, bytes_sent: number, audio_energy: number}}
 */
export function callQuality(reports, previous = null) {
  const all = [...reports];
  const audio = (type) => all.find((r) => r.type === type && (r.kind ?? r.mediaType) === "audio");
  const inbound = audio("inbound-rtp");
  const outbound = audio("outbound-rtp");
  const remoteIn = audio("remote-inbound-rtp");
  const pair = all.find((r) => r.type === "candidate-pair" && r.nominated && r.state === "succeeded");
  const codec = inbound && all.find((r) => r.type === "codec" && r.id === inbound.codecId);
  const rtt = remoteIn?.roundTripTime ?? pair?.currentRoundTripTime;
  const received = inbound?.packetsReceived ?? 0;
  const lost = Math.max(0, inbound?.packetsLost ?? 0);
  const newReceived = received - (previous?.packets_received ?? 0);
  const newLost = lost - (previous?.packets_lost ?? 0);
  const loss = newReceived + newLost > 0 ? (100 * newLost) / (newReceived + newLost) : null;
  const q = {
    rtt_ms: rtt == null ? null : Math.round(rtt * 1000),
    jitter_ms: inbound?.jitter == null ? null : Math.round(inbound.jitter * 1000),
    loss_pct: loss == null ? (previous?.loss_pct ?? null) : Math.round(loss * 10) / 10,
    codec: codec?.mimeType?.replace(/^audio\//, "") ?? null,
    packets_received: received,
    packets_lost: lost,
    bytes_received: inbound?.bytesReceived ?? 0,
    bytes_sent: outbound?.bytesSent ?? 0,
    audio_energy: inbound?.totalAudioEnergy ?? 0,
  };
  return { ...q, grade: inbound ? grade(q) : "none" };
}

function grade(q) {
  const over = (limits) => ["rtt_ms", "jitter_ms", "loss_pct"].some((k) => q[k] != null && q[k] > limits[k]);
  if (over(POOR)) return "poor";
  return over(GOOD) ? "fair" : "good";
}
