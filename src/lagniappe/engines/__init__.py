"""Pure-Python decision engines: no Django, no other lagniappe package (import-linter checks)."""
