"""Messages from a supervisor to an agent or a team, shown on the agent's desk until acknowledged."""
