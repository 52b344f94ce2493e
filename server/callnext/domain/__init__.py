"""The pure core: a ticket's life, the queue order, numbering and statistics. No I/O here."""
