"""callnext: queue calling and lobby displays for public service halls."""

__version__ = "0.1.0"
