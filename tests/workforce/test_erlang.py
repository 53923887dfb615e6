"""Erlang B / C / A against independent references: mpmath (high precision), an exact solution of
the M/M/n+M birth-death chain in mpmath, and a discrete-event simulation written here."""

from __future__ import annotations

import heapq
import random

import mpmath as mp
import numpy as np
import pytest

from workforce.erlang import (
    erlang_a_metrics,
    erlang_b,
    erlang_c,
    erlang_c_metrics,
    log_poisson_pmf,
)

# (traffic in Erlangs, agents): small to 10,000 Erlangs, at and near the load.
POINTS = [
    (0.5, 1),
    (1.0, 2),
    (10.0, 14),
    (10.0, 11),
    (50.0, 55),
    (99.9, 100),
    (250.0, 270),
    (1000.0, 1030),
    (2000.0, 2040),
    (4321.5, 4400),
    (5000.0, 5070),
    (9999.5, 10050),
    (10000.0, 10001),
    (10000.0, 10100),
    (10000.0, 10400),
]


def mp_erlang_c(a: float, n: int) -> mp.mpf:
    """P(wait) = T·n/(n−A) / (Σ_{k<n} Aᵏ/k! + T·n/(n−A)), T = Aⁿ/n!, in 50-digit arithmetic."""
    with mp.workdps(50):
        A = mp.mpf(a)
        # Σ_{k<n} Aᵏ/k! = e^A · Q(n, A) (regularised upper incomplete gamma)
        head = mp.exp(A) * mp.gammainc(n, A, mp.inf, regularized=True)
        top = mp.exp(n * mp.log(A) - mp.loggamma(n + 1)) * n / (n - A)
        return top / (head + top)


def mp_erlang_b(a: float, n: int) -> mp.mpf:
    with mp.workdps(50):
        A = mp.mpf(a)
        b = mp.mpf(1)
        for k in range(1, n + 1):  # the textbook recursion, in high precision
            b = A * b / (k + A * b)
        return b


def rel(x: float, ref: mp.mpf) -> float:
    return float(abs((mp.mpf(x) - ref) / ref))


@pytest.mark.parametrize(("a", "n"), [(0.5, 1), (10.0, 14), (250.0, 270), (1000.0, 1030)])
def test_mp_references_agree(a: float, n: int) -> None:
    """The gamma-function reference equals the plain recursion (checks the reference itself)."""
    with mp.workdps(50):
        b = mp_erlang_b(a, n)
        c_from_b = n * b / (n - a * (1 - b))
        assert abs(c_from_b / mp_erlang_c(a, n) - 1) < mp.mpf(10) ** -30


@pytest.mark.parametrize(("a", "n"), POINTS)
def test_erlang_c_matches_mpmath(a: float, n: int) -> None:
    assert rel(float(erlang_c(n, a)), mp_erlang_c(a, n)) < 1e-9


@pytest.mark.parametrize(("a", "n"), [p for p in POINTS if p[0] <= 2000])
def test_erlang_b_matches_recursion(a: float, n: int) -> None:
    assert rel(float(erlang_b(n, a)), mp_erlang_b(a, n)) < 1e-9


def test_erlang_b_far_overload_uses_series() -> None:
    # A ≫ n: the Poisson tail underflows in double precision; B → 1 − n/A.
    b = float(erlang_b(5000, 20000.0))
    assert rel(b, mp_erlang_b(20000.0, 5000)) < 1e-9


@pytest.mark.parametrize(
    ("a", "n", "aht_s", "t_s"), [(10.0, 14, 180, 20), (9999.5, 10050, 300, 20)]
)
def test_erlang_c_service_level_and_asa(a: float, n: int, aht_s: float, t_s: float) -> None:
    m = erlang_c_metrics(n, a, aht_s, t_s)
    with mp.workdps(50):
        pw = mp_erlang_c(a, n)
        sl = 1 - pw * mp.exp(-(n - a) * mp.mpf(t_s) / aht_s)
        asa = pw * aht_s / (n - a)
    assert rel(float(m.service_level), sl) < 1e-9
    assert rel(float(m.asa_s), asa) < 1e-9
    assert float(m.occupancy) == pytest.approx(a / n, rel=1e-15)


def test_textbook_example() -> None:
    # 100 calls per 30 min, AHT 180 s: 10 Erlangs; 13 agents miss 80/20, 14 meet it.
    m = erlang_c_metrics(np.array([13, 14]), 10.0, 180.0, 20.0)
    assert m.service_level[0] < 0.8 <= m.service_level[1]
    assert m.service_level[1] == pytest.approx(0.8883500, abs=1e-7)


def test_unstable_and_idle_cases() -> None:
    m = erlang_c_metrics(np.array([0, 5, 10, 3]), np.array([0.0, 5.0, 10.5, 0.0]), 180, 20)
    assert list(m.probability_of_waiting) == [0.0, 1.0, 1.0, 0.0]
    assert list(m.service_level) == [1.0, 0.0, 0.0, 1.0]
    assert np.isinf(m.asa_s[1]) and m.asa_s[3] == 0.0


@pytest.mark.parametrize(("k", "mean"), [(0, 3.0), (7, 3.0), (10000, 10000.0), (10400, 10000.0)])
def test_log_poisson_pmf(k: int, mean: float) -> None:
    with mp.workdps(50):
        ref = k * mp.log(mean) - mean - mp.loggamma(k + 1)
    assert abs(float(log_poisson_pmf(k, mean)) - float(ref)) < 1e-11


# --- Erlang A -------------------------------------------------------------------------------


def mp_erlang_a(
    n: int, lam: float, aht_s: float, patience_s: float, t_s: float
) -> dict[str, float]:
    """Exact M/M/n+M by its birth-death chain (truncated far out) in 40-digit arithmetic.

    An arrival that finds j callers ahead in the queue is answered within T if the j+1 queue
    departures in front of it (rates nμ + iθ, i = j..0) finish before T and before its own
    patience runs out: competing exponentials give ∏ r_i/(r_i+θ) · P(Σ Exp(r_i+θ) <= T).
    """
    with mp.workdps(40):
        mu, th, L, T = 1 / mp.mpf(aht_s), 1 / mp.mpf(patience_s), mp.mpf(lam), mp.mpf(t_s)
        J = 70
        w = [mp.mpf(1)]
        for k in range(1, n + 1):
            w.append(w[-1] * L / (k * mu))
        for j in range(1, J + 1):
            w.append(w[-1] * L / (n * mu + j * th))
        z = mp.fsum(w)
        p = [x / z for x in w]
        pw = mp.fsum(p[n:])
        mean_queue = mp.fsum(j * p[n + j] for j in range(J + 1))
        abandon = th * mean_queue / L

        def answered_soon(j: int) -> mp.mpf:
            rates = [n * mu + i * th + th for i in range(j + 1)]
            keep = mp.fprod((r - th) / r for r in rates)
            cdf = 1 - mp.fsum(
                mp.fprod(rates[k] / (rates[k] - rates[i]) for k in range(j + 1) if k != i)
                * mp.exp(-rates[i] * T)
                for i in range(j + 1)
            )
            return keep * cdf

        with mp.workdps(90):  # the alternating hypoexponential sum needs the extra digits
            soon = mp.fsum(p[n + j] * answered_soon(j) for j in range(J + 1))
        sl = mp.fsum(p[:n]) + soon
        return {
            "probability_of_waiting": float(pw),
            "abandon_rate": float(abandon),
            "service_level": float(sl),
            "occupancy": float(L * (1 - abandon) / (n * mu)),
        }


@pytest.mark.parametrize(
    ("n", "calls_per_s", "aht_s", "patience_s", "t_s"),
    [
        (12, 100 / 1800, 180.0, 120.0, 20.0),
        (8, 100 / 1800, 180.0, 120.0, 20.0),  # fewer agents than the load (10 Erlangs)
        (20, 0.1, 200.0, 300.0, 30.0),
        (5, 0.02, 300.0, 60.0, 10.0),
        (15, 0.05, 240.0, 600.0, 15.0),
    ],
)
def test_erlang_a_matches_exact_chain(
    n: int, calls_per_s: float, aht_s: float, patience_s: float, t_s: float
) -> None:
    ref = mp_erlang_a(n, calls_per_s, aht_s, patience_s, t_s)
    m = erlang_a_metrics(n, calls_per_s, aht_s, patience_s, t_s)
    for key, value in ref.items():
        got = float(getattr(m, key))
        assert got == pytest.approx(value, rel=1e-9, abs=1e-12), key
    assert float(m.asa_s) == pytest.approx(ref["abandon_rate"] * patience_s, rel=1e-9)


def test_erlang_a_large_centre_is_finite_and_tends_to_erlang_c() -> None:
    # Very patient callers: Erlang A → Erlang C.
    m = erlang_a_metrics(1030, 1000 / 300, 300.0, 1e9, 20.0)
    c = erlang_c_metrics(1030, 1000.0, 300.0, 20.0)
    assert float(m.probability_of_waiting) == pytest.approx(
        float(c.probability_of_waiting), rel=1e-5
    )
    assert float(m.service_level) == pytest.approx(float(c.service_level), rel=1e-5)
    # Heavy overload and light load on a big centre stay finite and in range.
    m = erlang_a_metrics(np.array([3000, 9000, 12000]), 10000 / 300, 300.0, 120.0, 20.0)
    for arr in (m.probability_of_waiting, m.abandon_rate, m.service_level, m.occupancy):
        assert np.all(np.isfinite(arr)) and np.all((arr >= 0) & (arr <= 1))
    assert m.abandon_rate[0] > 0.6 and m.service_level[2] > 0.99


def simulate_mmn_m(
    n: int, calls_per_s: float, aht_s: float, patience_s: float, t_s: float, calls: int, seed: int
) -> tuple[float, float]:
    """FCFS M/M/n+M by discrete events: (answered within T / offered, abandoned / offered)."""
    rng = random.Random(seed)
    free = n
    queue: list[tuple[float, float]] = []  # (arrival, give-up time), FCFS
    events: list[tuple[float, int]] = []  # (time, kind) kind 0 = arrival, 1 = departure
    heapq.heappush(events, (rng.expovariate(calls_per_s), 0))
    arrived = soon = abandoned = 0
    while events:
        now, kind = heapq.heappop(events)
        if kind == 0:
            arrived += 1
            if arrived < calls:
                heapq.heappush(events, (now + rng.expovariate(calls_per_s), 0))
            give_up = now + rng.expovariate(1 / patience_s)
            if free > 0:
                free -= 1
                soon += 1
                heapq.heappush(events, (now + rng.expovariate(1 / aht_s), 1))
            else:
                queue.append((now, give_up))
        else:
            free += 1
            while queue and free > 0:
                arrival, give_up = queue.pop(0)
                if give_up < now:
                    abandoned += 1
                    continue
                free -= 1
                soon += now - arrival <= t_s
                heapq.heappush(events, (now + rng.expovariate(1 / aht_s), 1))
    abandoned += len(queue)
    return soon / arrived, abandoned / arrived


def test_erlang_a_matches_simulation() -> None:
    n, lam, aht, pat, t = 9, 100 / 1800, 180.0, 120.0, 20.0
    sl, ab = simulate_mmn_m(n, lam, aht, pat, t, calls=60_000, seed=7)
    m = erlang_a_metrics(n, lam, aht, pat, t)
    # 60,000 calls: the standard error is about 0.003 for these fractions.
    assert float(m.service_level) == pytest.approx(sl, abs=0.015)
    assert float(m.abandon_rate) == pytest.approx(ab, abs=0.01)
