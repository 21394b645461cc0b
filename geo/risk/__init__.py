"""Risk scores, warning levels, hotspots and explanations per grid and area (README: Risk scores)."""
