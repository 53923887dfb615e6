"""What the people and machines that watch the platform read: /healthz and /metrics."""
