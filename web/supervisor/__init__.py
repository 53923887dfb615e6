"""The supervisor's wallboard: live queue figures, agents, the day, actions on agents."""
