"""Outbound work: return visits (after a sale or a resolved complaint) and callbacks.

Pure: ``rules`` (placing work in the customer's calling window, retries), ``tasks`` (the task
state machine's ids, errors, events and form), ``sales`` (the sales CSV). Edges:
``tasks_store`` (tasks and attempts in the store), ``scheduler`` (the piece that hands due tasks
to the router, through ``outbound.lua`` beside the router's scripts in ``queueing/``).
"""
