"""Spatial core of the safety map: database, geocoding, risk, boundaries. Never imports Dash."""
