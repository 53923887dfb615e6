// callQuality on getStats reports: milliseconds from seconds, loss since the last reading,
// grades at ITU-T G.114's 150 ms one way (300 ms round trip) and the jitter and loss limits.
import assert from "node:assert/strict";
import { test } from "node:test";
import { callQuality } from "../../../web/static/js/phone/quality.js";

function reports({ rtt = 0.012, jitter = 0.003, received = 100, lost = 0 } = {}) {
  return [
    { type: "codec", id: "c0", mimeType: "audio/PCMU" },
    { type: "inbound-rtp", kind: "audio", codecId: "c0", jitter, packetsReceived: received, packetsLost: lost, bytesReceived: received * 160, totalAudioEnergy: 0.25 },
    { type: "outbound-rtp", kind: "audio", bytesSent: 17_000 },
    { type: "remote-inbound-rtp", kind: "audio", roundTripTime: rtt },
    { type: "candidate-pair", nominated: true, state: "succeeded", currentRoundTripTime: 0.5 },
  ];
}

test("figures of a clean call", () => {
  const q = callQuality(reports());
  assert.deepEqual(q, {
    rtt_ms: 12, jitter_ms: 3, loss_pct: 0, codec: "PCMU", packets_received: 100, packets_lost: 0,
    bytes_received: 16_000, bytes_sent: 17_000, audio_energy: 0.25, grade: "good",
  });
});

test("loss is counted since the previous reading", () => {
  const first = callQuality(reports({ received: 1000, lost: 0 }));
  const now = callQuality(reports({ received: 1090, lost: 10 }), first);
  assert.equal(now.loss_pct, 10);  // 10 of the last 100 packets
  assert.equal(now.grade, "poor");
  const quiet = callQuality(reports({ received: 1090, lost: 10 }), now);
  assert.equal(quiet.loss_pct, 10);  // no packets since: the last figure stands
});

test("grades", () => {
  assert.equal(callQuality(reports({ rtt: 0.3, jitter: 0.03 })).grade, "good");
  assert.equal(callQuality(reports({ rtt: 0.301 })).grade, "fair");
  assert.equal(callQuality(reports({ jitter: 0.045 })).grade, "fair");
  assert.equal(callQuality(reports({ rtt: 0.501 })).grade, "poor");
  assert.equal(callQuality(reports({ jitter: 0.061 })).grade, "poor");
});

test("the candidate pair's round trip when RTCP has not reported yet; none without audio in", () => {
  const noRtcp = reports().filter((r) => r.type !== "remote-inbound-rtp");
  assert.equal(callQuality(noRtcp).rtt_ms, 500);
  const q = callQuality([{ type: "outbound-rtp", kind: "audio", bytesSent: 10 }]);
  assert.equal(q.grade, "none");
  assert.equal(q.rtt_ms, null);
});
