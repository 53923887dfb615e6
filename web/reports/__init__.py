"""Historical reports: the Reports page and ``/api/reports/{kind}`` (JSON, CSV, XLSX)."""
