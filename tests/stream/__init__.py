"""The display stream: protocol, hub, replay, the public stream, several processes."""
