"""Storage: SQL, transactions, the group commit, migrations; on SQLite and PostgreSQL."""
