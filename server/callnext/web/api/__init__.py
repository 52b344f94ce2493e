"""The HTTP API's handlers: parse, authorise, call a use case, map errors."""
