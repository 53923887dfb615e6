"""The complaint pages' labels of machine ids: ticket statuses, severities, categories (the
settings' ids; the seeds' 质量投诉 / 服务投诉 / 其他 among them) and return-visit outcomes.
English here, translated per request by ``web.i18n.labels.localised``."""

from __future__ import annotations

from web.i18n.catalog import N_

STATUS = {
    "active": N_("active (not closed)"),
    "open": N_("open"),
    "acknowledged": N_("acknowledged"),
    "in_progress": N_("in progress"),
    "resolved": N_("resolved"),
    "closed": N_("closed"),
    "reopened": N_("reopened"),
}
SEVERITY = {
    "low": N_("low"),
    "medium": N_("medium"),
    "high": N_("high"),
    "critical": N_("critical"),
}
CATEGORY = {
    "quality": N_("quality complaint"),
    "service": N_("service complaint"),
    "other": N_("other"),
    "product_quality": N_("product quality"),
    "service_attitude": N_("service attitude"),
    "delivery": N_("delivery"),
    "billing": N_("billing"),
}
# A return visit's outcome, or its task status while it has none (complaints.reports).
RETURN_VISIT = {
    "reached": N_("reached"),
    "no_answer": N_("no answer"),
    "busy": N_("busy"),
    "wrong_number": N_("wrong number"),
    "refused": N_("refused to talk"),
    "scheduled": N_("scheduled"),
    "queued": N_("queued"),
    "connected": N_("connected"),
    "done": N_("done"),
    "cancelled": N_("cancelled"),
}
# Which deadline a ticket missed (``overdue``).
DEADLINE = {"acknowledge": N_("acknowledge"), "resolve": N_("resolve")}

MAPS = {
    "status": STATUS,
    "severity": SEVERITY,
    "category": CATEGORY,
    "return_visit": RETURN_VISIT,
    "deadline": DEADLINE,
}
