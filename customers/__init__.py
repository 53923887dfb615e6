"""Customers: records and their masking (pure: ``records``, ``masking``), their persistence
with audited reads (``records_store``, ``audit``) and the caller index in Redis the bridge and
the router look callers up in (``caller_index``)."""
