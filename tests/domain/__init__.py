"""The pure core, no I/O: a ticket's life, queues, estimates, statistics, appointments."""
