// preferCodecs on an offer as Chromium writes it: only [webrtc] codecs, in their order, and
// telephone-event; their attribute lines kept, the others' dropped, other sections untouched.
import assert from "node:assert/strict";
import { test } from "node:test";
import { preferCodecs } from "../../../web/static/js/phone/sdp.js";

const OFFER = [
  "v=0",
  "o=- 4611731400430051336 2 IN IP4 127.0.0.1",
  "s=-",
  "t=0 0",
  "a=group:BUNDLE 0",
  "m=audio 9 UDP/TLS/RTP/SAVPF 111 63 9 0 8 13 110 126",
  "c=IN IP4 0.0.0.0",
  "a=rtcp:9 IN IP4 0.0.0.0",
  "a=mid:0",
  "a=sendrecv",
  "a=rtcp-mux",
  "a=rtpmap:111 opus/48000/2",
  "a=rtcp-fb:111 transport-cc",
  "a=fmtp:111 minptime=10;useinbandfec=1",
  "a=rtpmap:63 red/48000/2",
  "a=fmtp:63 111/111",
  "a=rtpmap:9 G722/8000",
  "a=rtpmap:0 PCMU/8000",
  "a=rtpmap:8 PCMA/8000",
  "a=rtpmap:13 CN/8000",
  "a=rtpmap:110 telephone-event/48000",
  "a=rtpmap:126 telephone-event/8000",
  "m=video 9 UDP/TLS/RTP/SAVPF 96",
  "a=rtpmap:96 VP8/90000",
  "",
].join("\r\n");

test("keeps the configured codecs in their order, and telephone-event", () => {
  const sdp = preferCodecs(OFFER, ["PCMA", "pcmu"]);
  const lines = sdp.split("\r\n");
  assert.ok(lines.includes("m=audio 9 UDP/TLS/RTP/SAVPF 8 0 110 126"));
  for (const gone of ["a=rtpmap:111", "a=fmtp:111", "a=rtcp-fb:111", "a=rtpmap:63", "a=fmtp:63", "a=rtpmap:9 ", "a=rtpmap:13"]) {
    assert.ok(!lines.some((l) => l.startsWith(gone)), gone);
  }
  for (const kept of ["a=rtpmap:0 PCMU/8000", "a=rtpmap:8 PCMA/8000", "a=rtpmap:126 telephone-event/8000", "a=mid:0", "a=rtcp-mux"]) {
    assert.ok(lines.includes(kept), kept);
  }
  assert.ok(lines.includes("m=video 9 UDP/TLS/RTP/SAVPF 96") && lines.includes("a=rtpmap:96 VP8/90000"));
  assert.ok(sdp.endsWith("\r\n") && !sdp.endsWith("\r\n\r\n"));
});

test("opus first when asked, with its fmtp and feedback", () => {
  const lines = preferCodecs(OFFER, ["opus", "PCMU"]).split("\r\n");
  assert.ok(lines.includes("m=audio 9 UDP/TLS/RTP/SAVPF 111 0 110 126"));
  assert.ok(lines.includes("a=fmtp:111 minptime=10;useinbandfec=1") && lines.includes("a=rtcp-fb:111 transport-cc"));
});

test("an audio section offering none of the codecs is left as it was", () => {
  assert.equal(preferCodecs(OFFER, ["G729"]), OFFER);
});

test("LF line endings are read too", () => {
  const sdp = preferCodecs(OFFER.replaceAll("\r\n", "\n"), ["PCMU"]);
  assert.ok(sdp.split("\r\n").includes("m=audio 9 UDP/TLS/RTP/SAVPF 0 110 126"));
});
