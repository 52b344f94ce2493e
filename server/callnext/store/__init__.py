"""Storage: tables, engines, transactions. The only package that speaks SQL."""
