"""Faults that really happen: killed processes and backends, full disks, storms, load."""
