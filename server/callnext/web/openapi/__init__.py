"""The OpenAPI document of the HTTP API, and its endpoint."""
