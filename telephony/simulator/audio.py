"""What a simulated MixMonitor file sounds like: a real WAV (8 kHz, 16-bit mono, as Asterisk
writes ``.wav``) as long as the recording, made from numpy.

Pure module (the simulator's server writes the bytes). Two voices take turns (the caller lower,
the agent higher: a few harmonics with a syllable-rate envelope), short gaps between turns, a
little line noise throughout, and silence where the recording was muted (``MixMonitorMute``
keeps the muted time as silence, capture 20). The same recording (uniqueid) gives the same
bytes.
"""

from __future__ import annotations

import io
import wave
import zlib

import numpy as np

from telephony.simulator.model import Recording

RATE_HZ = 8000
VOICES_HZ = (130.0, 220.0)  # caller, agent: fundamental frequencies


_TABLE_N = 1024
# one period of the voice: a few harmonics, read by phase (a table lookup, not four sines)
_THETA = 2 * np.pi * np.arange(_TABLE_N) / _TABLE_N
_WAVE = np.sum([np.sin(k * _THETA) / k for k in (1, 2, 3, 4)], axis=0).astype(np.float32)


def _voice(rng: np.random.Generator, n: int, f0: float) -> np.ndarray:
    t = np.arange(n, dtype=np.float32) / RATE_HZ
    pitch = f0 * (1 + 0.05 * np.sin(2 * np.pi * 0.7 * t + rng.uniform(0, 6)))
    cycles = np.cumsum(pitch / RATE_HZ, dtype=np.float64)
    tone = _WAVE[((cycles % 1.0) * _TABLE_N).astype(np.int32)]
    syllables = 0.55 + 0.45 * np.sin(2 * np.pi * rng.uniform(3.0, 5.0) * t) ** 2
    fade = np.minimum(1.0, np.minimum(t, t[::-1]) / 0.05) if n else t
    return np.asarray(tone * syllables * fade * 0.25, dtype=np.float32)


def samples(rec: Recording) -> np.ndarray:
    """The recording's audio as int16 samples (``rec`` must be stopped)."""
    length_s = rec.length_s or 0.0
    n = max(0, round(length_s * RATE_HZ))
    rng = np.random.default_rng(zlib.crc32(rec.uniqueid.encode()))
    # what the customer's channel reads (the caller) and what is written to it (the agent)
    voices = {"read": np.zeros(n, np.float32), "write": np.zeros(n, np.float32)}
    noise = rng.standard_normal(n, dtype=np.float32) * np.float32(0.01)  # the line's
    i, speaker = round(0.3 * RATE_HZ), 0
    while i < n:
        turn = round(rng.uniform(1.0, 4.0) * RATE_HZ)
        end = min(n, i + turn)
        voices[("read", "write")[speaker]][i:end] = _voice(rng, end - i, VOICES_HZ[speaker])
        i = end + round(rng.uniform(0.2, 0.8) * RATE_HZ)
        speaker = 1 - speaker
    for direction, start_s, stop_s in rec.muted:
        span = slice(
            round(start_s * RATE_HZ), round((length_s if stop_s is None else stop_s) * RATE_HZ)
        )
        voices[direction][span] = 0.0
        if direction == "read":  # the line noise comes in with the caller
            noise[span] = 0.0
    audio = voices["read"] + voices["write"] + noise
    return np.asarray(np.clip(audio, -1.0, 1.0) * 32767, dtype="<i2")


def wav_bytes(rec: Recording) -> bytes:
    """The whole ``.wav`` file of a stopped recording."""
    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(RATE_HZ)
        w.writeframes(samples(rec).tobytes())
    return buf.getvalue()
