"""How big each demo scale is. Counts are targets; the generator lands near them."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Scale:
    """Size of one generated city (province = several cities side by side)."""

    name: str
    cities: int
    urban_districts: int
    rural_counties: int
    radius_m: float  # of the whole city
    urban_radius_m: float  # of the central urban area
    urban_cells: int  # micro-grids in urban areas
    rural_cells: int  # micro-grids in rural areas
    townships_per_urban_district: int
    townships_per_rural_county: int
    cells_per_community_urban: int
    cells_per_community_rural: int
    cells_per_grid: int
    exclusive_grids: int
    cases: int
    key_persons: int
    key_places: int
    cameras: int
    hotspots: int


CITY = Scale(
    name="city",
    cities=1,
    urban_districts=3,
    rural_counties=4,
    radius_m=30_000,
    urban_radius_m=8_000,
    urban_cells=25_000,
    rural_cells=14_500,
    townships_per_urban_district=9,
    townships_per_rural_county=8,
    cells_per_community_urban=80,
    cells_per_community_rural=100,
    cells_per_grid=10,
    exclusive_grids=40,
    cases=100_000,
    key_persons=15_000,
    key_places=2_000,
    cameras=3_000,
    hotspots=24,
)

SMALL = Scale(
    name="small",
    cities=1,
    urban_districts=1,
    rural_counties=1,
    radius_m=9_000,
    urban_radius_m=3_000,
    urban_cells=1_200,
    rural_cells=900,
    townships_per_urban_district=3,
    townships_per_rural_county=3,
    cells_per_community_urban=80,
    cells_per_community_rural=100,
    cells_per_grid=10,
    exclusive_grids=4,
    cases=4_000,
    key_persons=600,
    key_places=100,
    cameras=150,
    hotspots=4,
)

PROVINCE = Scale(**{**CITY.__dict__, "name": "province", "cities": 10})

SCALES = {scale.name: scale for scale in (SMALL, CITY, PROVINCE)}
