"""The agent's desk: its own state, the call on screen with the customer card, the page."""
