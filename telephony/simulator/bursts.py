"""A burst of inbound traffic: one queue's calls at a steady rate for a while, then none, for
agents who answer at once and talk briefly. Fault tests and ``bench/faults.py`` use it to put
hundreds of calls through the platform at real speed in a few minutes.

The burst rides on the scenario's hourly curve: the simulated day starts ``window_s`` before
ten o'clock and only the nine o'clock hour has calls, so the traffic ends by itself.
"""

from __future__ import annotations

from telephony.simulator.traffic import AgentPhone, Dist, QueueTraffic, Scenario


def burst(
    queue: str,
    did: str,
    agent_ids: list[str],
    *,
    window_s: float,
    calls_per_hour: float,
    patience_mean_s: float = 45.0,
    seed: int = 7,
) -> Scenario:
    """Calls to ``did`` at ``calls_per_hour`` for ``window_s`` seconds (talks of 4-12 s,
    callers waiting ``patience_mean_s`` on average), answered within 0.5-2 s."""
    if not 0 < window_s <= 3600:
        raise ValueError(f"window_s: must be in (0, 3600], got {window_s}")
    curve = [0.0] * 24
    curve[9] = calls_per_hour
    return Scenario(
        seed=seed,
        start_hour=10 - window_s / 3600,
        queues=[
            QueueTraffic(
                queue=queue,
                did=did,
                daily_curve=curve,
                patience_s=Dist(kind="exponential", mean=patience_mean_s),
                talk_s=Dist(kind="uniform", low=4, high=12),
                wrap_up_s=Dist(kind="fixed", mean=1),
            )
        ],
        agents=[
            AgentPhone(
                agent_id=a, answer_delay_s=Dist(kind="uniform", low=0.5, high=2), no_answer_p=0
            )
            for a in agent_ids
        ],
        unknown_endpoints_answer=False,
    )
