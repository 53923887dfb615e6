"""Queueing: the Redis skills-based router (DESIGN section 2).

Live state (agents, waiting calls, offers, timers, statistics) lives in Redis under one hash-tagged
prefix per routing domain (``keys``); every decision is one Lua script on one domain (``*.lua``,
loaded by ``scripts``), so several routers can run side by side and a Redis Cluster can spread
domains over nodes.

- pure: ``rules`` (eligibility, escalation steps, priorities, scores), ``matching`` (the routing
  choice written plainly, the scripts' reference), ``translate`` (events → script ops),
  ``effects`` (script effects → events and commands), ``stats``, ``agent_states``, ``errors``
- edges: ``routing`` (run scripts, publish effects through the outbox), ``service`` (the router
  piece ``run_router``), ``actions`` (agent actions for web, CLI and simulated agents), ``cli``
"""
