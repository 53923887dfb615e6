"""Recordings for QA: which have outlived their retention, and the waveform of a WAV file.

Pure module (the store module reads rows and files). Retention counts from the recording's end
(its start while it has none); a queue's ``retention_days`` overrides ``[recording]
retention_days``. Peaks are the largest absolute sample of each of ``buckets`` equal slices of
the file, scaled to 0..1: what a waveform needs, a few kilobytes for any length.
"""

from __future__ import annotations

import io
import wave
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np

from qa.errors import QaError


class RecordingFileError(QaError):
    """A recording file that is not a 16-bit PCM WAV; the message says what it is instead."""


@dataclass(frozen=True, slots=True)
class StoredRecording:
    call_id: str
    queue_id: str | None
    started_at: datetime
    stopped_at: datetime | None
    purged_at: datetime | None


def expired(
    rows: Iterable[StoredRecording],
    now: datetime,
    days_by_queue: Mapping[str, int],
    default_days: int,
) -> list[StoredRecording]:
    """The recordings not purged yet whose retention ended before ``now``."""
    out = []
    for r in rows:
        if r.purged_at is not None:
            continue
        days = days_by_queue.get(r.queue_id or "", default_days)
        if (r.stopped_at or r.started_at) + timedelta(days=days) <= now:
            out.append(r)
    return out


@dataclass(frozen=True, slots=True)
class Peaks:
    duration_s: float
    rate_hz: int
    peaks: list[float]


def wav_peaks(data: bytes, buckets: int = 800) -> Peaks:
    """The waveform of a mono or stereo 16-bit WAV file's bytes."""
    try:
        with wave.open(io.BytesIO(data)) as w:
            width, channels, rate = w.getsampwidth(), w.getnchannels(), w.getframerate()
            frames = w.readframes(w.getnframes())
    except (wave.Error, EOFError) as exc:
        raise RecordingFileError(f"not a WAV file: {exc}") from exc
    if width != 2:
        raise RecordingFileError(f"{8 * width}-bit samples, 16-bit expected")
    samples = np.frombuffer(frames, dtype="<i2")
    if channels > 1:
        samples = samples[: len(samples) // channels * channels].reshape(-1, channels).max(axis=1)
    n = len(samples)
    duration_s = n / rate if rate else 0.0
    if n == 0:
        return Peaks(0.0, rate, [])
    edges = np.linspace(0, n, min(buckets, n) + 1).astype(int)
    mags = np.abs(samples.astype(np.int32))
    peaks = np.maximum.reduceat(mags, edges[:-1]) / 32768.0
    return Peaks(round(duration_s, 3), rate, [round(float(p), 4) for p in peaks])
