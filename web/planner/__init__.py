"""The planner's workspace (forecast, rosters, adherence) and the agent's published shifts."""
