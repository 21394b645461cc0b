"""The case heat layer, drawn on the server: cases binned on a raster over the unit, smoothed
with a Gaussian kernel and coloured into a small indexed PNG that the page lays over the map
(an ImageOverlay). The browser gets a picture, never a case's coordinates."""

import datetime as dt
import io
import math

import numpy as np
from PIL import Image
from scipy.ndimage import gaussian_filter

from geo.map.cases import heat_bins
from geo.map.filters import CaseFilter
from geo.map.units import Unit

CELLS_ACROSS = 320
KERNEL_CELLS = 3.0
# Transparent, then light yellow to dark red (ColorBrewer YlOrRd), opacity rising with heat.
RAMP = [(255, 237, 160), (254, 178, 76), (240, 59, 32), (189, 0, 38)]
LEVELS = 32
MARGIN = 0.04


def heat_box(unit: Unit) -> dict:
    """The unit's box widened by a margin (a hotspot on its edge is not cut in half)."""
    dx, dy = (unit.east - unit.west) * MARGIN, (unit.north - unit.south) * MARGIN
    return {"west": unit.west - dx, "south": unit.south - dy, "east": unit.east + dx, "north": unit.north + dy}


def heat_png(conn, unit: Unit, case_filter: CaseFilter, today: dt.date) -> bytes:
    """The heat image of the unit's cases under the filter, covering `heat_box(unit)`."""
    box = heat_box(unit)
    north_y, south_y = _mercator_y(box["north"]), _mercator_y(box["south"])
    width = box["east"] - box["west"]
    columns, rows = _raster_size(math.radians(width), north_y - south_y)
    counts = np.zeros((rows, columns))
    bins = heat_bins(conn, unit, case_filter, today, {**box, "north_y": north_y, "south_y": south_y}, columns, rows)
    for cell_x, cell_y, cases in bins:
        counts[cell_y, cell_x] = cases
    return _colour(gaussian_filter(counts, KERNEL_CELLS, mode="constant"))


def _mercator_y(lat: float) -> float:
    return math.log(math.tan(math.pi / 4 + math.radians(lat) / 2))


def _raster_size(width: float, height: float) -> tuple[int, int]:
    if width >= height:
        return CELLS_ACROSS, max(8, round(CELLS_ACROSS * height / width))
    return max(8, round(CELLS_ACROSS * width / height)), CELLS_ACROSS


def _colour(density: np.ndarray) -> bytes:
    """Indexed PNG: level 0 transparent, levels up to LEVELS - 1 along RAMP."""
    peak = np.percentile(density[density > 0], 99.5) if (density > 0).any() else 1.0
    level = np.clip(np.sqrt(density / peak), 0, 1) * (LEVELS - 1)
    level = np.where(density > peak * 0.01, np.maximum(level.round(), 1), 0).astype(np.uint8)
    image = Image.fromarray(level, mode="P")
    palette, alpha = _palette()
    image.putpalette(palette)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True, transparency=bytes(alpha))
    return buffer.getvalue()


def _palette() -> tuple[list[int], list[int]]:
    palette, alpha = [], []
    for index in range(LEVELS):
        t = index / (LEVELS - 1)
        position = t * (len(RAMP) - 1)
        low = min(int(position), len(RAMP) - 2)
        share = position - low
        palette += [round(a + (b - a) * share) for a, b in zip(RAMP[low], RAMP[low + 1], strict=True)]
        alpha.append(0 if index == 0 else round(90 + 140 * t))
    return palette, alpha
