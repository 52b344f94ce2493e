"""The HTTP API against a real server: every endpoint, roles, errors, limits."""
