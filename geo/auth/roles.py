"""The roles and what each may do. A permission names a part of the dashboard; the
jurisdiction (an area or a basic grid) limits where.

| role | may |
|---|---|
| wall | the wall screen and the map, aggregated, in one scope: live cases by category, place and time, no case text; no case points, table or heat below the area levels |
| leader | the map with case details and the league table, in a county or township |
| grid_worker | the map with case details, in one basic grid; the phone page: takes and reports back the cases dispatched to it, reports new ones, logs visits |
| dispatcher | a centre's dispatch desk (receive, dispatch, verify, close, call back), the map with case details and the league table, in a city, county, township or community |
| planner | the map, the league table and the boundary editor, in its areas |
| key_person_officer | the map, the league table and individual key-person records, in its scope |
| admin | everything aggregated, the league table, the data page, the boundary editor, the whole database |
"""

MAP = "map"  # the safety map, key persons as suppressed counts
CASE_DETAILS = "case_details"  # individual cases: texts, points, the case table
WALL = "wall"  # the wall screen at /wall/
BOUNDARIES = "boundaries"  # the boundary editor
KEY_PERSON_RECORDS = "key_person_records"  # individual key persons: view and export
OVERVIEW = "overview"  # the league table of the units in one's jurisdiction
DATA = "data"  # row counts of the whole database per level and layer
CASE_DESK = "case_desk"  # the dispatch desk at /cases: the centre's queue and its moves
PHONE = "phone"  # the grid worker's phone page at /m: tasks, reports back, new cases, visits

PERMISSIONS = {
    "wall": frozenset({WALL, MAP}),
    "leader": frozenset({MAP, CASE_DETAILS, WALL, OVERVIEW}),
    "grid_worker": frozenset({MAP, CASE_DETAILS, PHONE}),
    "dispatcher": frozenset({MAP, CASE_DETAILS, WALL, CASE_DESK, OVERVIEW}),
    "planner": frozenset({MAP, CASE_DETAILS, BOUNDARIES, OVERVIEW}),
    "key_person_officer": frozenset({MAP, CASE_DETAILS, KEY_PERSON_RECORDS, OVERVIEW}),
    "admin": frozenset({MAP, CASE_DETAILS, WALL, BOUNDARIES, OVERVIEW, DATA}),
}
ROLES = tuple(PERMISSIONS)

# Which kinds of unit a role's jurisdiction may be (None: the whole database).
SCOPE_KINDS = {
    "wall": {None, "city", "county", "township", "community", "grid"},
    "leader": {"county", "township"},
    "grid_worker": {"grid"},
    "dispatcher": {None, "city", "county", "township", "community"},
    "planner": {None, "city", "county", "township", "community"},
    "key_person_officer": {None, "city", "county", "township", "community", "grid"},
    "admin": {None},
}


def allows(role: str, permission: str) -> bool:
    """Whether `role` has `permission`; an unknown role has none.

    Example:
        >>> allows("leader", BOUNDARIES)
        False
    """
    return permission in PERMISSIONS.get(role, frozenset())
