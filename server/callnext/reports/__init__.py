"""The manager's reports: the export in words (zh, en) and `callnext report`."""
