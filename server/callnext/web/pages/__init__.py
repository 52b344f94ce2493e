"""The HTML pages: their handlers, templates' rendering and static files."""
