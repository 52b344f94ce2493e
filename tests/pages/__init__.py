"""The pages in a real Chromium under their real CSP (tests/browser.py)."""
