"""Queueing formulas for staffing: Erlang B, Erlang C (M/M/n) and Erlang A (M/M/n+M).

Everything is vectorised with numpy (arguments broadcast against each other) and computed in
log-space from the Poisson probability and the regularised incomplete gamma function, never from
raw factorials, so that it stays exact (about 1e-12 relative) for traffic up to tens of thousands
of Erlangs. Where an incomplete gamma function underflows (far tails, where waiting is
negligible) a short series takes over.

Notation: ``traffic_erlangs`` A = arrival rate × average handle time; ``agents`` n; Erlang A adds
the callers' mean patience (exponential), so θ = 1 / patience_s.

References: Erlang B/C as in any queueing text; Erlang A after Mandelbaum & Zeltyn, "The Palm/
Erlang-A queue, with applications to call centers" (2007): with x = λ/θ and a = nμ/θ,
P(wait) = B·S / (1 + B·(S − 1)), S = a·eˣ·x⁻ᵃ·γ(a, x), P(served | wait) = γ(a+1, x) / (x·γ(a, x)),
and answered-within-T follows from the virtual wait's tail γ(a, x·e^(−θT)) / γ(a, x).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import special

FloatArray = NDArray[np.float64]

_LOG_2PI = float(np.log(2.0 * np.pi))
_TINY = 1e-200  # below this an incomplete gamma value is treated as underflowed
_SERIES_EPS = 1e-18
_SERIES_MAX_TERMS = 100_000


@dataclass(frozen=True)
class ErlangCMetrics:
    """Erlang C results per interval (arrays of one shape)."""

    probability_of_waiting: FloatArray
    service_level: FloatArray  # answered within the threshold, out of all calls
    asa_s: FloatArray  # average speed of answer (inf when agents <= traffic)
    occupancy: FloatArray


@dataclass(frozen=True)
class ErlangAMetrics:
    """Erlang A results per interval (arrays of one shape)."""

    probability_of_waiting: FloatArray
    abandon_rate: FloatArray  # fraction of offered calls that hang up before an answer
    service_level: FloatArray  # answered within the threshold, out of all offered calls
    asa_s: FloatArray  # mean wait of all offered calls (answered or abandoned) = P(ab)·patience
    occupancy: FloatArray


def _stirlerr(n: FloatArray) -> FloatArray:
    """log(n!) − [(n + ½)·log n − n + ½·log 2π], accurate also for large n."""
    out = np.zeros_like(n)
    big = n >= 16
    nb = n[big]
    nb2 = nb * nb
    out[big] = (
        1 / 12 - (1 / 360 - (1 / 1260 - (1 / 1680 - 1 / (1188 * nb2)) / nb2) / nb2) / nb2
    ) / nb
    small = (~big) & (n > 0)
    ns = n[small]
    out[small] = special.gammaln(ns + 1) - (ns + 0.5) * np.log(ns) + ns - 0.5 * _LOG_2PI
    return out


def log_poisson_pmf(k: ArrayLike, mean: ArrayLike) -> FloatArray:
    """log P(X = k) for X ~ Poisson(mean), k >= 0 real; stable for large k and mean."""
    k, mean = np.broadcast_arrays(np.asarray(k, dtype=float), np.asarray(mean, dtype=float))
    out = np.empty(k.shape)
    zero = k == 0
    out[zero] = -mean[zero]
    nz = ~zero
    kk, mm = k[nz], mean[nz]
    with np.errstate(divide="ignore"):
        d = (mm - kk) / kk
        # k·log(mean/k) + k − mean, written so the two large terms cancel analytically.
        dev = kk * (np.log1p(d) - d)
    out[nz] = dev - 0.5 * (_LOG_2PI + np.log(kk)) - _stirlerr(kk)
    return out


def _series_inv_erlang_b(n: FloatArray, a: FloatArray) -> FloatArray:
    """1/B = Σ_{i=0..n} n!/((n−i)!·aⁱ): converges fast where a ≫ n (the gamma tail underflows)."""
    total = np.ones_like(n)
    term = np.ones_like(n)
    active = np.ones(n.shape, dtype=bool)
    i = 0
    while active.any() and i < _SERIES_MAX_TERMS:
        term = np.where(active, term * np.maximum(n - i, 0.0) / a, 0.0)
        total += term
        active &= term > _SERIES_EPS * total
        i += 1
    return total


def log_erlang_b(agents: ArrayLike, traffic_erlangs: ArrayLike) -> FloatArray:
    """log of the Erlang B blocking probability (real-valued agents allowed)."""
    n, a = np.broadcast_arrays(
        np.asarray(agents, dtype=float), np.asarray(traffic_erlangs, dtype=float)
    )
    out = np.zeros(n.shape)  # B = 1 when n == 0
    zero_a = (a <= 0) & (n > 0)
    out[zero_a] = -np.inf
    work = (a > 0) & (n > 0)
    if work.any():
        nw, aw = n[work], a[work]
        q = special.gammaincc(nw + 1, aw)  # P(Poisson(a) <= n)
        with np.errstate(divide="ignore"):
            res = log_poisson_pmf(nw, aw) - np.log(q)
        under = q < _TINY
        if under.any():
            res[under] = -np.log(_series_inv_erlang_b(nw[under], aw[under]))
        out[work] = res
    return out


def erlang_b(agents: ArrayLike, traffic_erlangs: ArrayLike) -> FloatArray:
    """Probability that a call finds all ``agents`` busy in a loss system (Erlang B)."""
    return np.exp(log_erlang_b(agents, traffic_erlangs))


def erlang_c(agents: ArrayLike, traffic_erlangs: ArrayLike) -> FloatArray:
    """Probability that a call waits (Erlang C); 1 where agents <= traffic (unstable queue)."""
    n, a = np.broadcast_arrays(
        np.asarray(agents, dtype=float), np.asarray(traffic_erlangs, dtype=float)
    )
    b = erlang_b(n, a)
    out = np.ones(n.shape)
    stable = n > a
    ns, as_, bs = n[stable], a[stable], b[stable]
    out[stable] = bs / (1.0 - (as_ / ns) * (1.0 - bs))
    return out


def erlang_c_metrics(
    agents: ArrayLike,
    traffic_erlangs: ArrayLike,
    aht_s: ArrayLike,
    answer_within_s: ArrayLike,
) -> ErlangCMetrics:
    """Service level, ASA, occupancy and probability of waiting for M/M/n (no abandonment)."""
    n, a, aht, t = np.broadcast_arrays(
        np.asarray(agents, dtype=float),
        np.asarray(traffic_erlangs, dtype=float),
        np.asarray(aht_s, dtype=float),
        np.asarray(answer_within_s, dtype=float),
    )
    pw = erlang_c(n, a)
    stable = n > a
    excess = np.where(stable, n - a, 1.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        sl = np.where(stable, 1.0 - pw * np.exp(-excess * t / aht), 0.0)
        asa = np.where(stable, pw * aht / excess, np.inf)
        occ = np.where(n > 0, np.minimum(a / np.where(n > 0, n, 1.0), 1.0), 1.0)
    idle = a <= 0
    sl = np.where(idle, 1.0, sl)
    asa = np.where(idle, 0.0, asa)
    occ = np.where(idle, 0.0, occ)
    pw = np.where(idle, 0.0, pw)
    return ErlangCMetrics(pw, sl, asa, occ)


def _series_s(a: FloatArray, x: FloatArray) -> FloatArray:
    """s(a, x) = Σ_{j>=0} xʲ / (a·(a+1)·…·(a+j)) = x⁻ᵃ·eˣ·γ(a, x) (a > 0), by its series."""
    term = 1.0 / a
    total = term.copy()
    active = np.ones(a.shape, dtype=bool)
    j = 1
    while active.any() and j < _SERIES_MAX_TERMS:
        term = np.where(active, term * x / (a + j), 0.0)
        total += term
        active &= term > _SERIES_EPS * total
        j += 1
    return total


def _log_s(a: FloatArray, x: FloatArray, p: FloatArray) -> FloatArray:
    """log s(a, x) from p = P(a, x) (regularised lower gamma), series where p underflows."""
    with np.errstate(divide="ignore"):
        out = x - a * np.log(x) + special.gammaln(a) + np.log(p)
    under = p < _TINY
    if under.any():
        out[under] = np.log(_series_s(a[under], x[under]))
    return out


def _gamma_lower_diff(a: FloatArray, x: FloatArray, y: FloatArray) -> FloatArray:
    """P(a, x) − P(a, y) for y <= x, from whichever tail keeps the digits."""
    py = special.gammainc(a, y)
    upper = py > 0.5
    return np.where(
        upper,
        special.gammaincc(a, y) - special.gammaincc(a, x),
        special.gammainc(a, x) - py,
    )


# Rates below one call in ~30,000 years count as no traffic (subnormal rates overflow ratios).
MIN_RATE_PER_S = 1e-12


def erlang_a_metrics(
    agents: ArrayLike,
    calls_per_s: ArrayLike,
    aht_s: ArrayLike,
    patience_s: ArrayLike,
    answer_within_s: ArrayLike,
) -> ErlangAMetrics:
    """Waiting, abandonment, service level, mean wait and occupancy for M/M/n+M (Erlang A).

    ``patience_s`` is the callers' mean patience (exponentially distributed). Service level
    counts calls answered within ``answer_within_s`` out of all offered calls.
    """
    n, lam, aht, pat, t = np.broadcast_arrays(
        np.asarray(agents, dtype=float),
        np.asarray(calls_per_s, dtype=float),
        np.asarray(aht_s, dtype=float),
        np.asarray(patience_s, dtype=float),
        np.asarray(answer_within_s, dtype=float),
    )
    lam = np.where(lam > MIN_RATE_PER_S, lam, 0.0)  # negligible traffic is no traffic
    shape = n.shape
    pw = np.ones(shape)
    served_given_wait = np.zeros(shape)
    answered_soon_given_wait = np.zeros(shape)

    work = (n > 0) & (lam > 0)
    if work.any():
        nw, lw, hw, pt, tw = n[work], lam[work], aht[work], pat[work], t[work]
        load = lw * hw
        x = lw * pt  # λ/θ
        a = nw * pt / hw  # nμ/θ
        p_a = special.gammainc(a, x)
        log_s_a = _log_s(a, x, p_a)
        log_big_s = np.log(a) + log_s_a  # S = a·s(a, x)
        log_b = log_erlang_b(nw, load)
        with np.errstate(divide="ignore"):
            log_1mb = np.log1p(-np.exp(log_b))
        # P(wait) = 1 / (1 + (1 − B) / (B·S))
        pw[work] = 1.0 / (1.0 + np.exp(log_1mb - log_b - log_big_s))

        # P(served | wait) = s(a+1, x) / s(a, x) = (a/x)·P(a+1, x)/P(a, x)
        p_a1 = special.gammainc(a + 1, x)
        log_s_a1 = _log_s(a + 1, x, p_a1)
        served = np.exp(log_s_a1 - log_s_a)

        # P(answered within T | wait) = (a/x)·[P(a+1, x) − P(a+1, y)] / P(a, x), y = x·e^(−θT)
        y = x * np.exp(-tw / pt)
        ok = p_a >= _TINY
        soon = np.empty_like(served)
        soon[ok] = (a[ok] / x[ok]) * _gamma_lower_diff(a[ok] + 1, x[ok], y[ok]) / p_a[ok]
        nok = ~ok
        if nok.any():
            # Series form: [s(a+1, x) − (y/x)^(a+1)·e^(x−y)·s(a+1, y)] / s(a, x)
            an, xn, yn = a[nok], x[nok], y[nok]
            ratio = np.exp((an + 1) * np.log(yn / xn) + xn - yn)
            soon[nok] = (_series_s(an + 1, xn) - ratio * _series_s(an + 1, yn)) / np.exp(
                log_s_a[nok]
            )
        served_given_wait[work] = np.clip(served, 0.0, 1.0)
        answered_soon_given_wait[work] = np.clip(soon, 0.0, 1.0)

    idle = lam <= 0
    pw = np.where(idle, 0.0, pw)
    abandon = np.where(idle, 0.0, pw * (1.0 - served_given_wait))
    sl = np.where(idle, 1.0, (1.0 - pw) + pw * answered_soon_given_wait)
    asa = abandon * pat
    with np.errstate(divide="ignore", invalid="ignore"):
        occ = np.where(n > 0, lam * (1.0 - abandon) * aht / np.where(n > 0, n, 1.0), 0.0)
    return ErlangAMetrics(pw, abandon, sl, asa, np.minimum(occ, 1.0))
