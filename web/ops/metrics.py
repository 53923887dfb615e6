"""Prometheus metrics at ``/metrics``: queue depth, routing latency, AMI connection state,
WebSocket clients, events written, and the supervised pieces of this process (restarts, state).

Each app has its own ``CollectorRegistry`` (several apps in one test process never clash). Figures
that live in Redis are read when Prometheus scrapes; routing latency is measured from the event
stream itself: from the entry that made an offer possible (``call.queued`` for a call that found
an agent at once, the agent's ``agent.state`` ready for one that waited) to the ``call.offered``
entry, by the Redis stream entry times.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterator

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric

from kernel.events import DomainEvent
from kernel.supervisor import PieceBoard

LATENCY_BUCKETS_S = (0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0, 2.0, 5.0)
MAX_TRACKED = 20_000


class RoutingLatency:
    """Pairs offers with their trigger; returns the latency in seconds or None. No I/O."""

    def __init__(self) -> None:
        self.queued_ms: OrderedDict[str, int] = OrderedDict()
        self.ready_ms: OrderedDict[str, int] = OrderedDict()

    @staticmethod
    def _remember(d: OrderedDict[str, int], key: str, ms: int) -> None:
        d[key] = ms
        d.move_to_end(key)
        while len(d) > MAX_TRACKED:
            d.popitem(last=False)

    def seen(self, ev: DomainEvent, entry_ms: int) -> float | None:
        if ev.type == "call.queued" and ev.call_id:
            self._remember(self.queued_ms, ev.call_id, entry_ms)
        elif ev.type == "agent.state" and ev.agent_id and ev.payload.get("state") == "ready":
            self._remember(self.ready_ms, ev.agent_id, entry_ms)
        elif ev.type == "call.offered" and ev.call_id:
            queued = self.queued_ms.pop(ev.call_id, None)
            ready = self.ready_ms.pop(ev.agent_id, None) if ev.agent_id else None
            trigger = ev.payload.get("trigger")
            start = ready if trigger == "agent_ready" else queued
            if start is None:
                start = queued if queued is not None else ready
            if start is not None and entry_ms >= start:
                return (entry_ms - start) / 1000
        return None


PIECE_STATES = ("up", "retrying", "restarting", "stopped")


class PieceCollector:
    """The board's figures when Prometheus scrapes: restarts per piece, and its state."""

    def __init__(self, board: PieceBoard) -> None:
        self.board = board

    def collect(self) -> Iterator[Metric]:
        restarts = CounterMetricFamily(
            "cc_piece_restarts", "Restarts of each supervised piece", labels=["piece"]
        )
        state = GaugeMetricFamily(
            "cc_piece_state", "1 for the state each piece is in", labels=["piece", "state"]
        )
        for name, status in self.board.pieces.items():
            restarts.add_metric([name], status.restarts)
            for s in PIECE_STATES:
                state.add_metric([name, s], 1 if status.state == s else 0)
        yield restarts
        yield state


class WebMetrics:
    def __init__(self, board: PieceBoard | None = None) -> None:
        self.registry = CollectorRegistry()
        r = self.registry
        r.register(PieceCollector(board or PieceBoard()))
        self.queue_waiting = Gauge("cc_queue_waiting_calls", "Calls waiting", ["queue"], registry=r)
        self.queue_longest = Gauge(
            "cc_queue_longest_wait_seconds", "Longest wait now", ["queue"], registry=r
        )
        self.agents = Gauge("cc_agents", "Agents by state", ["state"], registry=r)
        self.routing_latency = Histogram(
            "cc_routing_latency_seconds",
            "Trigger (call queued or agent ready) to offer, by stream entry times",
            buckets=LATENCY_BUCKETS_S,
            registry=r,
        )
        self.ami_connected = Gauge("cc_ami_connected", "1 when the bridge is connected", registry=r)
        self.ws_clients = Gauge("cc_websocket_clients", "Connected WebSocket clients", registry=r)
        self.events_written = Gauge(
            "cc_events_written", "Events written to the store (the writer's counter)", registry=r
        )
        self.events_seen = Counter(
            "cc_web_events_seen", "Events read by this web worker's live feed", registry=r
        )
        self.ws_resyncs = Counter(
            "cc_websocket_resyncs", "Clients told to reload because they fell behind", registry=r
        )
        self._latency = RoutingLatency()

    def observe(self, ev: DomainEvent, entry_ms: int) -> None:
        self.events_seen.inc()
        latency_s = self._latency.seen(ev, entry_ms)
        if latency_s is not None:
            self.routing_latency.observe(latency_s)

    def render(self) -> bytes:
        return generate_latest(self.registry)
