"""Printing tickets: ESC/POS bytes for a network printer, and the QR code."""
