"""A draft in memory: one community's grids and micro-grids as shapely geometries, with the
buildings that lie in it. Edits (geo/boundaries/edits.py) change it, validation
(geo/boundaries/validate.py) reads it; geo/boundaries/store.py reads and writes it.

Geometries are in EPSG:4326, as stored. Areas are measured in a transverse Mercator
projection centred on the community (`Draft.metric`), in square metres.
"""

from dataclasses import dataclass, field, replace

import numpy as np
import shapely

from geo.geocode.layers import Projection


@dataclass
class Grid:
    code: str
    base_id: int | None  # the stored row it was copied from; None for a grid made in the draft
    name: str
    level: int
    is_basic: bool
    kind: str  # regular | exclusive
    exclusive_type: str | None
    parent_code: str | None
    households: int
    target_households: tuple[int, int] | None  # [low, high) from the stored int4range
    geom: shapely.MultiPolygon


@dataclass
class MicroGrid:
    code: str
    base_id: int | None
    grid_code: str
    kind: str  # building | ten_households
    households: int
    geom: shapely.MultiPolygon


@dataclass
class Buildings:
    """The community's buildings (read-only context of a draft): what validation checks for
    splits and what households are counted from."""

    ids: np.ndarray
    codes: np.ndarray
    households: np.ndarray
    footprints: np.ndarray  # shapely polygons
    points: np.ndarray  # a point on each footprint's surface, where the building counts

    @classmethod
    def empty(cls) -> "Buildings":
        nothing = np.array([], dtype=object)
        return cls(np.array([], dtype=np.int64), nothing, np.array([], dtype=np.int64), nothing, nothing)

    def __len__(self) -> int:
        return len(self.ids)


@dataclass
class Community:
    id: int
    code: str
    name: str
    is_urban: bool
    geom: shapely.MultiPolygon


@dataclass
class Draft:
    id: int | None
    community: Community
    grids: dict[str, Grid]
    micro_grids: dict[str, MicroGrid]
    buildings: Buildings = field(default_factory=Buildings.empty)
    used_codes: frozenset = frozenset()  # grid and micro-grid codes ever used under the community
    base_codes: frozenset = frozenset()  # those of the rows the draft started from
    _projection: Projection | None = None

    def copy(self) -> "Draft":
        """A copy whose grids and micro-grids can be changed without touching this one."""
        return replace(
            self,
            grids={code: replace(grid) for code, grid in self.grids.items()},
            micro_grids={code: replace(micro) for code, micro in self.micro_grids.items()},
        )

    def basic_grids(self) -> list[Grid]:
        return [grid for grid in self.grids.values() if grid.is_basic]

    def children(self, code: str) -> list[Grid]:
        return [grid for grid in self.grids.values() if grid.parent_code == code]

    def micro_grids_of(self, code: str) -> list[MicroGrid]:
        return [micro for micro in self.micro_grids.values() if micro.grid_code == code]

    def grid(self, code: str) -> Grid:
        from geo.errors import UserError

        if code not in self.grids:
            raise UserError(f"no grid {code} in this draft")
        return self.grids[code]

    def metric(self, geoms) -> np.ndarray:
        """The geometries in metres (transverse Mercator centred on the community)."""
        if self._projection is None:
            x0, y0, x1, y1 = self.community.geom.bounds
            self._projection = Projection((x0 + x1) / 2, (y0 + y1) / 2)
        return self._projection.forward(np.asarray(geoms, dtype=object))

    def area_m2(self, geom) -> float:
        if geom is None or geom.is_empty:
            return 0.0
        return float(shapely.area(self.metric([geom])[0]))


def as_multi(geom) -> shapely.MultiPolygon:
    """The polygonal part of `geom` as a MultiPolygon (lines and points left by an overlay of
    touching shapes dropped); an empty MultiPolygon when nothing is left."""
    if geom is None or geom.is_empty:
        return shapely.MultiPolygon()
    if geom.geom_type == "MultiPolygon":
        return geom
    if geom.geom_type == "Polygon":
        return shapely.MultiPolygon([geom])
    parts = [part for part in getattr(geom, "geoms", []) if part.geom_type in ("Polygon", "MultiPolygon")]
    polygons = []
    for part in parts:
        polygons += list(part.geoms) if part.geom_type == "MultiPolygon" else [part]
    return shapely.MultiPolygon(polygons)
