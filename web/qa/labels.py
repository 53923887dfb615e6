"""The QA pages' labels of machine ids: evaluation statuses and resolutions, why a call was
sampled, call dispositions and directions, scorecard KPI names (the API and CSV keep the ids).
English here, translated per request by ``web.i18n.labels.localised``."""

from __future__ import annotations

from web.i18n.catalog import N_

STATUS = {
    "submitted": N_("submitted"),
    "acknowledged": N_("acknowledged by the agent"),
    "disputed": N_("disputed"),
    "resolved": N_("dispute resolved"),
}
RESOLUTION = {"upheld": N_("score upheld"), "amended": N_("score amended")}
# Why a call was sampled: a disposition the rules always take, too short, too long, transferred,
# or drawn at random.
REASON = {
    "random": N_("random"),
    "complaint": N_("complaint"),
    "short": N_("short call"),
    "long": N_("long call"),
    "transfer": N_("transferred"),
}
DISPOSITION = {
    "resolved": N_("resolved"),
    "information": N_("information"),
    "complaint": N_("complaint"),
    "follow_up": N_("follow up"),
    "sale": N_("sale"),
    "wrong_number": N_("wrong number"),
}
DIRECTION = {"inbound": N_("inbound"), "outbound": N_("outbound")}
# Scorecard columns: short, the table has one per KPI.
KPI = {
    "calls_handled": N_("Calls/day"),
    "answer_rate_pct": N_("Answer rate %"),
    "aht_s": N_("AHT s"),
    "hold_s": N_("Hold s"),
    "acw_s": N_("ACW s"),
    "qa_score": N_("QA score"),
    "adherence_pct": N_("Adherence %"),
    "fcr_pct": N_("FCR %"),
    "transfer_rate_pct": N_("Transfer %"),
    "callback_pct": N_("Callback %"),
    "csat_pct": N_("CSAT %"),
}

MAPS = {
    "status": STATUS,
    "resolution": RESOLUTION,
    "reason": REASON,
    "disposition": DISPOSITION,
    "direction": DIRECTION,
    "kpi": KPI,
}
