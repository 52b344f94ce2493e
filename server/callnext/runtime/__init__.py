"""What the running server needs around the core: its settings, processes, health, metrics,
rate limits, security and asset paths."""
