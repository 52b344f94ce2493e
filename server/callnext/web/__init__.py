"""The HTTP and WebSocket layer: parse, authorise, call an action, map errors. Nothing more."""
