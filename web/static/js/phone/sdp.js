// Codec preference by SDP: the browser phone offers (and answers with) only the codecs of
// [webrtc] codecs, in their order, plus telephone-event for DTMF. Pure: text in, text out.

const EOL = "\r\n";

/**
 * The SDP with each audio section restricted to `codecs` (names as in a=rtpmap, any case), in
 * that order, keeping telephone-event; a section offering none of them is left as it was.
 * @param {string} sdp
 * @param {string[]} codecs e.g. ["opus", "PCMU", "PCMA"]
 * @returns {string}
 */
export function preferCodecs(sdp, codecs) {
  const wanted = codecs.map((c) => c.toLowerCase());
  const lines = sdp.split(/\r?\n/);
  if (lines.at(-1) === "") lines.pop();
  const sections = [[]];
  for (const line of lines) {
    if (line.startsWith("m=")) sections.push([]);
    sections.at(-1).push(line);
  }
  const out = sections.flatMap((s) => (s[0]?.startsWith("m=audio ") ? restrict(s, wanted) : s));
  return out.join(EOL) + EOL;
}

function restrict(section, wanted) {
  const [m, ...rest] = section;
  const parts = m.split(" ");
  const payloads = parts.slice(3);
  const names = new Map();
  for (const line of rest) {
    const r = line.match(/^a=rtpmap:(\d+) ([^/]+)\//);
    if (r) names.set(r[1], r[2].toLowerCase());
  }
  const rank = (pt) => wanted.indexOf(names.get(pt));
  const kept = payloads.filter((pt) => rank(pt) >= 0).sort((a, b) => rank(a) - rank(b));
  if (kept.length === 0) return section;
  kept.push(...payloads.filter((pt) => names.get(pt) === "telephone-event"));
  const keep = new Set(kept);
  const body = rest.filter((line) => {
    const pt = line.match(/^a=(?:rtpmap|fmtp|rtcp-fb):(\d+) /);
    return !pt || keep.has(pt[1]);
  });
  return [[...parts.slice(0, 3), ...kept].join(" "), ...body];
}
