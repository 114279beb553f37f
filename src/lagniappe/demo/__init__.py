"""Demo data for `lagniappe demo`: a group with two brands, its staff, customers and
conversations, all created through the services (never raw inserts). Demo only."""
