// The microphone's input level (Web Audio AnalyserNode), for the meter that shows an agent
// their microphone works before a call arrives.

/**
 * Level of a block of samples, 0 (silence, -60 dBFS or less) to 1 (full scale), on a dB scale
 * so speech moves the meter visibly.
 * @param {Float32Array|number[]} samples in -1..1
 */
export function levelOf(samples) {
  let sum = 0;
  for (const s of samples) sum += s * s;
  const rms = Math.sqrt(sum / Math.max(1, samples.length));
  if (rms <= 0) return 0;
  return Math.min(1, Math.max(0, (20 * Math.log10(rms) + 60) / 60));
}

export class LevelMeter {
  /** @param {MediaStream} stream */
  constructor(stream) {
    this.ctx = new AudioContext();
    this.analyser = this.ctx.createAnalyser();
    this.analyser.fftSize = 1024;
    this.source = this.ctx.createMediaStreamSource(stream);
    this.source.connect(this.analyser);
    this.samples = new Float32Array(this.analyser.fftSize);
  }

  /** Start measuring: browsers start audio only after a user gesture (their autoplay rule). */
  resume() {
    if (this.ctx.state === "suspended") this.ctx.resume().catch(() => {});
  }

  /** The current level, 0..1 (0 until resumed). */
  level() {
    if (this.ctx.state === "suspended") return 0;
    this.analyser.getFloatTimeDomainData(this.samples);
    return levelOf(this.samples);
  }

  close() {
    this.source.disconnect();
    this.ctx.close().catch(() => {});
  }
}
