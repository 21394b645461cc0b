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
from geo.shared.units import Unit, find_unit

CELLS_ACROSS = 320
KERNEL_CELLS = 3.0
# The kernel is never narrower than this, nor the box smaller than MIN_BOX_M: on the view of a
# micro-grid or building the heat is its grid's around it, not a dot under its label.
MIN_KERNEL_M = 25.0
MIN_BOX_M = 800.0
METRES_PER_DEGREE = 111_320.0
# Transparent, then light yellow to dark red (ColorBrewer YlOrRd), opacity rising with heat.
RAMP = [(255, 237, 160), (254, 178, 76), (240, 59, 32), (189, 0, 38)]
LEVELS = 32
MARGIN = 0.04


def heat_box(unit: Unit) -> dict:
    """The unit's box widened by a margin (a hotspot on its edge is not cut in half), and to
    at least MIN_BOX_M across."""
    metres_per_lon = METRES_PER_DEGREE * math.cos(math.radians((unit.south + unit.north) / 2))
    half_min_lon, half_min_lat = MIN_BOX_M / 2 / metres_per_lon, MIN_BOX_M / 2 / METRES_PER_DEGREE
    dx = max((unit.east - unit.west) * MARGIN, half_min_lon - (unit.east - unit.west) / 2)
    dy = max((unit.north - unit.south) * MARGIN, half_min_lat - (unit.north - unit.south) / 2)
    return {"west": unit.west - dx, "south": unit.south - dy, "east": unit.east + dx, "north": unit.north + dy}


def heat_png(conn, unit: Unit, case_filter: CaseFilter, today: dt.date) -> bytes:
    """The heat image of the unit's cases under the filter, covering `heat_box(unit)`. Below
    the grid, the cases counted are the grid's."""
    box = heat_box(unit)
    unit = _grid_above(conn, unit)
    north_y, south_y = _mercator_y(box["north"]), _mercator_y(box["south"])
    width = box["east"] - box["west"]
    columns, rows = _raster_size(math.radians(width), north_y - south_y)
    counts = np.zeros((rows, columns))
    bins = heat_bins(conn, unit, case_filter, today, {**box, "north_y": north_y, "south_y": south_y}, columns, rows)
    for cell_x, cell_y, cases in bins:
        counts[cell_y, cell_x] = cases
    cell_m = width * METRES_PER_DEGREE * math.cos(math.radians((box["south"] + box["north"]) / 2)) / columns
    return _colour(gaussian_filter(counts, max(KERNEL_CELLS, MIN_KERNEL_M / cell_m), mode="constant"))


def _grid_above(conn, unit: Unit) -> Unit:
    """The grid a micro-grid or building lies in (the unit itself otherwise)."""
    while unit.kind in ("micro_grid", "building"):
        parent = find_unit(conn, unit.parent_code) if unit.parent_code else None
        if parent is None:
            break
        unit = parent
    return unit


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
