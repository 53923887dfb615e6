"""Complaints: tickets with deadlines to acknowledge and resolve. Pure: ``lifecycle`` (statuses,
transitions, errors), ``deadlines`` (working-time deadlines); edges: ``tickets`` (the store),
``watch`` (the piece escalating overdue tickets), ``reports`` (the complaint and return-visit
reports of the complaints desk)."""
