"""Domain words with a fixed set of values, shared by the store's schema (its CHECK
constraints), the pure rules and the API: one definition each."""

from __future__ import annotations

# who signs in to the web; "wallboard": a wall screen's read-only kiosk view, signed in for good
ROLES = ("agent", "supervisor", "planner", "qa", "admin", "wallboard")
LOCALES = ("en", "zh_CN")  # the languages of the pages (catalogs in web/locales/)
TIERS = ("ordinary", "key_account", "vip")  # of a customer
COMPLAINT_STATUSES = ("open", "acknowledged", "in_progress", "resolved", "closed", "reopened")
TASK_KINDS = ("return_visit", "callback")  # outbound work
TASK_STATUSES = ("scheduled", "queued", "connected", "done", "cancelled")
OUTCOMES = ("reached", "no_answer", "busy", "wrong_number", "refused")  # of an outbound attempt
