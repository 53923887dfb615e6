"""Historical reports: interval, queue, agent and disposition figures over a date range.

``definitions`` (pure) says what each figure means, for the reports and the wallboard alike;
``readers`` reads the store's rows; ``service`` builds a report; ``export`` writes CSV / XLSX.
"""
