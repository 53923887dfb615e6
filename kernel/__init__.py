"""The shared kernel: what every package uses and nothing of the features.

- ``settings`` (the pydantic settings and their loading), ``protocols`` (what pure code reads of
  them), ``files`` (reading a user's file defensively)
- ``events`` (the domain-event vocabulary), ``commands`` (what telephony is asked to do),
  ``keys`` (every Redis key and stream name)
- ``stream_consumer`` (reading a stream in a consumer group), ``cancellation``, ``liveness``
  (what a loop tells its supervisor), ``supervisor``, ``runtime`` (what a piece receives)

Layers (``pyproject.toml``, import-linter): the kernel is at the bottom and imports no other
package of the platform.
"""
