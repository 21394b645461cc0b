"""Data: the seeded demo-city generator and sample files."""
