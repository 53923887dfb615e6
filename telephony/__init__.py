"""Telephony: the AMI bridge to Asterisk and the PBX simulator (DESIGN sections 2, 5 and 7).

Pure: ``ami_frames`` (framing), ``translator`` (AMI frames -> domain events), ``actions``
(commands -> AMI actions), ``reconcile`` (the rules below), ``cdr`` (Master.csv lines -> calls).
Edges: ``bridge`` (the AMI session, the streams), ``reconciler`` and ``cdr_file`` (what the rules
read), ``simulator/`` (an Asterisk in miniature, over TCP).

Reconcile at a login
--------------------
A bridge that logs in (first start, reconnect, restart after a crash) does not trust what the
platform believes: it asks Asterisk (``Status`` with the ``CC_*`` variables) and makes the
platform agree with the answer.

* **Reading Asterisk.** ``(null)`` is how Asterisk 22 lists a variable that is not set: an unset
  variable, never a value. ``Status`` lists channels in its container's order (a hash of the
  name), not creation order nor ``;1`` before ``;2``: a call is taken from its customer's channel
  (the one with ``CC_QUEUE`` or ``CC_AGENT`` set) wherever it comes in the list.
* **The gap.** While connected the bridge writes the time it heard Asterisk to Redis every
  second; the next login's gap runs from that time (a SIGKILLed bridge cannot say when it died)
  to the login, and is published as ``telephony.gap {source, from_at, to_at}``. The store keeps
  it; interval statistics flag the intervals it touches ``no_data`` and the wallboard's chart
  shows them as "no data", not as quiet minutes.
* **Calls Asterisk still has** are published as the live events would have been, with the same
  ids: a waiting caller is queued (again) with its original arrival time (the channel's age) and
  its priority (the caller's tier, looked up again), once (the router queues a call it does not
  hold; the store keeps the first event of an id); one talking to an agent is answered by that
  agent.
* **Calls the platform believes live that Asterisk no longer has** (the router's queues and
  agents, the store's open ``calls`` rows of the last two days, the bridge's own memory) are over.
  If Asterisk's CDR tells how (``[ami] cdr_csv``), its times and outcome are published with
  ``reason: backfilled``; else a guess with ``reason: gap``, dated at the gap's end, both bounds
  in the payload: an answered call ends (its agent goes to wrap-up, or ready, by the queue's
  rules), a waiting or offered one is abandoned (the offered agent is free again). The router
  does this through its usual handling of ``call.ended`` / ``call.abandoned``: no agent stays
  ``on_call`` or ``offered`` without a channel. Outbound work not yet on the line (a callback's
  dial waiting for its turn or ringing the customer) has no channel of its own to lose and is
  left to the router's timers.
* **Calls that began and ended inside the gap** are recorded from the CDR (``reason:
  backfilled``): arrival, the agent's answer or the abandon, the end, the queue and DID from the
  userfield the sample dialplan writes. CDR lines are chosen by their end time (from the gap's
  start, less a few seconds), never by a file offset, so a log rotation loses nothing.
* **Once, whatever happens.** Every event id is the one the live translator gives the same
  transition (``make_event_id(call_id, "ended")`` ...): a call whose live end did reach the
  stream, a second reconcile of the same gap (the gap is closed only once its events are
  published) or a replay change nothing. A CDR-derived event replaces the gap guess of the same
  id in the store, and a call's gap guesses stop counting once its CDR told what happened.

One platform reconciles one Asterisk (``[ami] host``).
"""
