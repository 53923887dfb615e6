"""Erlang staffing benchmark: one week of 15-minute intervals (672), target 80/20.

Solves the week with this project (Erlang C, then Erlang A) and with the ``pyworkforce`` package
(Erlang C only; 0.5.1 on Python 3.11) on the same input, times both, and measures each one's
largest relative error in P(wait) and service level against mpmath (50 digits).

pyworkforce is NOT a dependency of the project: it runs in its own throwaway virtualenv
(default /tmp/bench-venv, created on first use with ``python -m venv`` + ``pip install``); if that
fails the comparison is skipped with a message.

    .venv/bin/python bench/erlang.py [--seed 1] [--repeat 5] [--no-pyworkforce] [--venv DIR]

Last line: one JSON object with the figures.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import mpmath as mp
import numpy as np

from workforce.erlang import erlang_a_metrics, erlang_c_metrics
from workforce.staffing import Target, required_agents_a, required_agents_c

INTERVAL_S = 900
SL, WITHIN_S = 0.8, 20.0
PATIENCE_S = 180.0

PYWORKFORCE_SCRIPT = r"""
import json, sys, time
from pyworkforce.queuing import ErlangC
data = json.load(sys.stdin)
best, out = float("inf"), None
for _ in range(data["repeat"]):
    t0 = time.perf_counter()
    res = [
        ErlangC(transactions=c, aht=h / 60, asa=data["within_s"] / 60, interval=data["interval_min"])
        .required_positions(service_level=data["sl"])
        for c, h in zip(data["calls"], data["aht_s"])
    ]
    best = min(best, time.perf_counter() - t0)
    out = res
print(json.dumps({
    "time_s": best,
    "agents": [r["raw_positions"] for r in out],
    "probability_of_waiting": [r["waiting_probability"] for r in out],
    "service_level": [r["service_level"] for r in out],
}))
"""


def week(seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    return rng.uniform(5, 2000, 672), rng.uniform(180, 400, 672)


def best_time(fn, repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def mp_reference(a: float, n: int, aht_s: float) -> tuple[mp.mpf, mp.mpf]:
    """(P(wait), service level) of M/M/n in 50-digit arithmetic."""
    with mp.workdps(50):
        A = mp.mpf(a)
        head = mp.exp(A) * mp.gammainc(n, A, mp.inf, regularized=True)
        top = mp.exp(n * mp.log(A) - mp.loggamma(n + 1)) * n / (n - A)
        pw = top / (head + top)
        return pw, 1 - pw * mp.exp(-(n - A) * mp.mpf(WITHIN_S) / mp.mpf(aht_s))


def max_rel_error(traffic, agents, aht, pw, sl) -> tuple[float, float]:
    e_pw = e_sl = 0.0
    for a, n, h, p, s in zip(traffic, agents, aht, pw, sl, strict=True):
        rpw, rsl = mp_reference(float(a), int(n), float(h))
        e_pw = max(e_pw, float(abs((p - rpw) / rpw)))
        e_sl = max(e_sl, float(abs((s - rsl) / rsl)))
    return e_pw, e_sl


def ensure_venv(venv: Path) -> Path | None:
    py = venv / "bin" / "python"
    probe = [str(py), "-c", "import pyworkforce.queuing"]
    if py.exists() and subprocess.run(probe, capture_output=True).returncode == 0:
        return py
    print(f"creating {venv} with pyworkforce (one-off) ...", flush=True)
    try:
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, capture_output=True)
        subprocess.run(
            [str(py), "-m", "pip", "install", "-q", "pyworkforce==0.5.1"],
            check=True,
            capture_output=True,
            timeout=600,
        )
    except (subprocess.SubprocessError, OSError) as exc:
        print(f"pyworkforce comparison skipped: could not set up {venv}: {exc}")
        return None
    return py if subprocess.run(probe, capture_output=True).returncode == 0 else None


def run_pyworkforce(py: Path, calls, aht, repeat: int) -> dict | None:
    payload = {
        "calls": calls.tolist(),
        "aht_s": aht.tolist(),
        "within_s": WITHIN_S,
        "sl": SL,
        "interval_min": INTERVAL_S // 60,
        "repeat": repeat,
    }
    proc = subprocess.run(
        [str(py), "-c", PYWORKFORCE_SCRIPT],
        input=json.dumps(payload),
        capture_output=True,
        text=True,
        timeout=600,
    )
    if proc.returncode != 0:
        print(f"pyworkforce comparison skipped: {proc.stderr.strip()[-500:]}")
        return None
    return json.loads(proc.stdout)


def main() -> None:
    p = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--repeat", type=int, default=5)
    p.add_argument("--no-pyworkforce", action="store_true")
    p.add_argument("--venv", type=Path, default=Path("/tmp/bench-venv"))
    args = p.parse_args()

    calls, aht = week(args.seed)
    traffic = calls / INTERVAL_S * aht
    target = Target(service_level=SL, answer_within_s=WITHIN_S)
    print(
        f"week: 672 x 15-min intervals, calls {calls.min():.0f}-{calls.max():.0f}, "
        f"AHT {aht.min():.0f}-{aht.max():.0f} s, load up to {traffic.max():.0f} Erlangs, "
        f"target 80/20; cores {os.cpu_count()}"
    )

    def ours_c():
        n = required_agents_c(traffic, aht, target)
        return n, erlang_c_metrics(n, traffic, aht, WITHIN_S)

    def ours_a():
        rate = calls / INTERVAL_S
        n = required_agents_a(rate, aht, PATIENCE_S, target)
        return n, erlang_a_metrics(n, rate, aht, PATIENCE_S, WITHIN_S)

    t_c = best_time(ours_c, args.repeat)
    t_a = best_time(ours_a, args.repeat)
    n_c, m_c = ours_c()
    n_a, _ = ours_a()
    err_pw, err_sl = max_rel_error(traffic, n_c, aht, m_c.probability_of_waiting, m_c.service_level)
    print(
        f"ours   Erlang C: {t_c * 1e3:8.2f} ms  agents total {int(n_c.sum())}  "
        f"max rel err vs mpmath: P(wait) {err_pw:.1e}, SL {err_sl:.1e}"
    )
    print(
        f"ours   Erlang A: {t_a * 1e3:8.2f} ms  agents total {int(n_a.sum())} "
        f"(patience {PATIENCE_S:.0f} s)"
    )
    result: dict[str, object] = {
        "bench": "erlang",
        "intervals": 672,
        "erlang_c_ms": round(t_c * 1e3, 3),
        "erlang_a_ms": round(t_a * 1e3, 3),
        "erlang_c_max_rel_err_pw": err_pw,
        "erlang_c_max_rel_err_sl": err_sl,
        "cores": os.cpu_count(),
    }

    py = None if args.no_pyworkforce else ensure_venv(args.venv)
    pw = run_pyworkforce(py, calls, aht, args.repeat) if py else None
    if pw is not None:
        n_p = np.array(pw["agents"])
        perr_pw, perr_sl = max_rel_error(
            traffic, n_p, aht, pw["probability_of_waiting"], pw["service_level"]
        )
        same = int((n_p == n_c).sum())
        ratio = pw["time_s"] / t_c
        print(
            f"pyworkforce 0.5.1: {pw['time_s'] * 1e3:8.2f} ms  agents total {int(n_p.sum())}  "
            f"max rel err vs mpmath: P(wait) {perr_pw:.1e}, SL {perr_sl:.1e}"
        )
        print(f"speed-up {ratio:.0f}x; same agent count in {same}/672 intervals")
        result |= {
            "pyworkforce_ms": round(pw["time_s"] * 1e3, 3),
            "speedup_x": round(ratio, 1),
            "pyworkforce_max_rel_err_pw": perr_pw,
            "pyworkforce_max_rel_err_sl": perr_sl,
            "same_agents_intervals": same,
        }
    elif not args.no_pyworkforce:
        print("pyworkforce: not compared (see message above)")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
