"""The customer card: a customer's contact fields (edited by roles allowed to, audited) and
history on one page, reached from the agent's screen pop and wrap-up (``customers.card``)."""
