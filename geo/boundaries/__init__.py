"""Grid boundaries: topology checks (and, later, editing)."""
