"""Call control: the agent's commands and wrap-up, the supervisor's listen / whisper / barge."""
