"""The supervisor's complaint desk and the complaint and return-visit reports."""
