"""The geocoder: coordinates in any system or a clerk's address → grid, micro-grid, building."""
