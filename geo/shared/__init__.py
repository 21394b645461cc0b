"""Building blocks that several features use, below all of them: the area hierarchy and its
units (units.py), coordinate systems (crs.py), grid kinds (grid_kinds.py). Nothing here
imports a feature module (tests/test_layout.py)."""
