"""WGS84 → GCJ-02, the offset Chinese web maps and phone apps use (via the prcoords library)."""

import numpy as np
import prcoords


def wgs84_to_gcj02(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """GCJ-02 longitudes and latitudes of WGS84 points (inside China; unchanged outside)."""
    shifted = [prcoords.wgs_gcj(prcoords.Coords(la, lo)) for lo, la in zip(lon, lat)]
    return np.array([c.lon for c in shifted]), np.array([c.lat for c in shifted])
