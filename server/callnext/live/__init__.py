"""The live stream: its protocol (message types, error codes, builders) and the hub that fans
events out to every connected screen."""
