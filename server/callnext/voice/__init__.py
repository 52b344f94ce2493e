"""Spoken announcements: the words, the speech worker and its renderer, the server's announcer,
and `callnext speaker` (the agent on the PC wired to the loudspeakers)."""
