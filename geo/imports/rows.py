"""Every row of a table checked against a layer: parsed fields, its geometry through the gate,
the layer's own rules; a rejected row keeps its line, id and reason. (Ids that repeat within
the file are found once all chunks are staged: geo.imports.staging.)

Point layers read their points as longitude/latitude columns; a point geometry (a spatial
file's, or a WKT column's) becomes such columns first, in the file's system, so that one
path checks and converts them all.
"""

import numpy as np
import pandas as pd
import shapely

from geo.errors import UserError
from geo.imports.columns import GEOMETRY
from geo.imports.coordinates import read_coordinates
from geo.imports.geometry import POINT, check_geometries, crs_system, geometry_problem
from geo.imports.layer import WARNING, Checked, Layer
from geo.imports.values import CONTROL, clean_text

LOCATION_FIELDS = ("geometry", "lon", "lat", "crs")  # read by the geometry path, not as values
AGREE_M = 1.0  # a point drawn this close to its 经度/纬度 columns is the same point
LON_COLUMN, LAT_COLUMN = "经度 (from the geometry)", "纬度 (from the geometry)"


def check_table(
    table, layer: Layer, columns: dict, crs: str | None, repair: bool, context, degrees_checked: bool = False
) -> Checked:
    """Check each row of `table` (geo.imports.tables.Table) as a row of `layer`.
    `degrees_checked`: the caller tested the coordinates of a larger table than this one
    (geo.imports.coordinates.require_degrees)."""
    systems = (crs_system(crs) if crs else None, crs_system(table.crs) if table.crs else None)
    shapes, problems, notes = _shapes(table, layer, columns, systems, repair, degrees_checked)
    parsed, cleaned = _parsed_columns(table, layer, columns)
    keys = key_cells(table, columns, layer.key)
    good, rejected, warnings = [], [], []
    for i, line in enumerate(table.lines):
        record, problem = {}, table.problems[i] or problems[i]
        for name, (values, reasons) in parsed.items():
            record[name] = values[i]
            problem = problem or reasons[i]
        if not problem:
            record, problem = layer.finish(record | shapes[i], context)
        if problem:
            rejected.append((line, keys[i], problem))
            continue
        repaired = table.repaired[i] if table.repaired else None
        own = record.pop(WARNING, None)
        warnings += [(line, keys[i], note) for note in (cleaned[i], notes[i], repaired, own) if note]
        good.append({"line": line, **record})
    return Checked(pd.DataFrame(good), rejected, warnings)


def _parsed_columns(table, layer: Layer, columns: dict):
    """Per field: (values, reasons) for every row, parsed column by column; and per row a
    note naming the fields whose control characters were removed."""
    parsed, cleaned = {}, [[] for _ in table.lines]
    for field in layer.fields:
        if field.name in LOCATION_FIELDS:
            continue
        column = columns.get(field.name)
        cells = table.frame[column].tolist() if column else [""] * len(table.lines)
        for i in _with_control_characters(cells):
            cells[i] = clean_text(cells[i])[0]
            cleaned[i].append(field.name)
        parsed[field.name] = _parse_column(field, cells)
    notes = ["control characters removed from " + ", ".join(names) if names else None for names in cleaned]
    return parsed, notes


def _with_control_characters(cells: list) -> list[int]:
    """Rows whose cell holds control characters: one search over the whole column first,
    as almost every column has none."""
    if not CONTROL.search("\n".join(c for c in cells if isinstance(c, str))):
        return []
    return [i for i, cell in enumerate(cells) if isinstance(cell, str) and CONTROL.search(cell)]


def _parse_column(field, cells: list) -> tuple[list, list]:
    values, reasons = [None] * len(cells), [None] * len(cells)
    for i, cell in enumerate(cells):
        if isinstance(cell, str) and not cell.strip():
            if field.required:
                reasons[i] = f"empty {field.name}"
            continue
        values[i], problem = field.parse(cell)
        if problem:
            reasons[i] = f"{field.name}: {problem}"
    return values, reasons


def _shapes(table, layer: Layer, columns: dict, systems: tuple, repair: bool, degrees_checked: bool = False):
    """Per row: {'geom': …} or {'lon': …, 'lat': …} for the layer's kind, the reason the
    geometry is refused, and what was repaired (or noted). `systems`: (--crs, the file's)."""
    count = len(table.frame)
    if layer.shape is None:
        return [{}] * count, [None] * count, [None] * count
    geometry = _geometry_cells(table, columns, repair)
    if layer.shape == POINT:
        return _points(table, columns, geometry, systems, degrees_checked)
    if geometry is None:
        raise UserError(f"missing geometry: the file has none and no WKT column ({' / '.join(GEOMETRY.aliases)})")
    shapes = check_geometries(geometry[0], layer.shape, systems[0] or systems[1], repair)
    problems = [table_problem or shape_problem for table_problem, shape_problem in zip(geometry[1], shapes.problems)]
    return [{"geom": g} for g in shapes.geometry], problems, shapes.repaired


def _geometry_cells(table, columns: dict, repair: bool):
    """(geometries, per-row problems) from the file's geometry or its WKT column, or None.
    A ring that is not closed is the row's problem, or closed with --repair (and named)."""
    if table.geometry is not None:
        return table.geometry, [None] * len(table.geometry)
    if columns.get("geometry") is None:
        return None
    geometries, problems, repaired = [], [], table.repaired or [None] * len(table.frame)
    for i, text in enumerate(table.frame[columns["geometry"]]):
        geometry, problem = None, None
        try:
            geometry = shapely.from_wkt(str(text)) if str(text).strip() else None
        except shapely.errors.GEOSException as error:
            problem = geometry_problem(str(error), "WKT")
            if repair and "not closed" in problem:
                geometry, problem, repaired[i] = shapely.from_wkt(str(text), on_invalid="fix"), None, "ring closed"
        geometries.append(geometry)
        problems.append(problem)
    table.repaired = repaired
    return np.array(geometries, dtype=object), problems


def _points(table, columns: dict, geometry, systems: tuple, degrees_checked: bool = False):
    """Points through the longitude/latitude path, from their columns (in the system of the
    坐标系 column or --crs) or from the geometry (in --crs or the file's). A file with both
    (our own exports, a layer edited in QGIS) uses the columns where they agree with the
    geometry within AGREE_M (they keep the system as reported), else the geometry, noted."""
    option, from_file = systems
    has_columns = columns.get("lon") is not None and columns.get("lat") is not None
    if not has_columns and geometry is None and columns.get("address") is None:
        raise UserError(
            "missing location columns: longitude and latitude (经度, 纬度), a WKT column or a geometry"
            + (", or an address (地址)" if "address" in columns else "")
        )
    if geometry is None:  # columns only, or address only (the geocoder places those)
        geometry = (np.full(len(table.frame), None, dtype=object), [None] * len(table.frame))
    drawn = _geometry_points(table.frame, *geometry, option or from_file)
    if not has_columns:
        return drawn[0], drawn[1], [None] * len(drawn[0])
    given = _as_points(
        read_coordinates(table.frame, columns | {"crs": columns.get("crs")}, option, not degrees_checked)
    )
    return _agreeing(given, drawn[0], drawn[1])


def _geometry_points(frame: pd.DataFrame, geometries, read_problems, system: str | None):
    frame, problems = _point_columns(frame, geometries, read_problems)
    coordinates = read_coordinates(frame, {"lon": LON_COLUMN, "lat": LAT_COLUMN, "crs": None}, system)
    return _as_points(coordinates)[0], [p or q for p, q in zip(problems, coordinates.problems)]


def _as_points(coordinates) -> tuple[list, list]:
    points = [
        {"lon": x, "lat": y, "raw_lon": rx, "raw_lat": ry, "raw_crs": system}
        for x, y, rx, ry, system in zip(
            coordinates.lon, coordinates.lat, coordinates.raw_lon, coordinates.raw_lat, coordinates.systems
        )
    ]
    return points, coordinates.problems


def _agreeing(given: tuple, drawn: list, drawn_problems: list):
    """Per row the column point where it agrees with the drawn one (or nothing is drawn),
    else the drawn point, with a note when the columns said something else."""
    points, problems, notes = [], [], []
    for (column, column_problem), point, point_problem in zip(zip(*given), drawn, drawn_problems):
        drawn_ok = point_problem is None and np.isfinite(point["lon"])
        column_ok = column_problem is None and np.isfinite(column["lon"])
        apart = _metres(column, point) if drawn_ok and column_ok else 0.0
        if not drawn_ok or (column_ok and apart <= AGREE_M):
            points.append(column), problems.append(column_problem), notes.append(None)
        else:
            points.append(point), problems.append(None)
            notes.append(f"the geometry is {apart:,.0f} m from the 经度/纬度 columns: the geometry is used"
                         if column_ok else None)  # fmt: skip
    return points, problems, notes


def _metres(a: dict, b: dict) -> float:
    dx = (a["lon"] - b["lon"]) * 111_320 * np.cos(np.radians(b["lat"]))
    return float(np.hypot(dx, (a["lat"] - b["lat"]) * 110_540))


def _point_columns(frame: pd.DataFrame, geometries, read_problems):
    """The frame with longitude and latitude columns taken from point geometries."""
    x, y, problems = [], [], list(read_problems)
    for i, geom in enumerate(geometries):
        is_point = geom is not None and not geom.is_empty and geom.geom_type == "Point"
        if geom is not None and not geom.is_empty and not is_point and problems[i] is None:
            problems[i] = f"wrong geometry type: {geom.geom_type} where the layer needs a point"
        x.append(repr(geom.x) if is_point else "")
        y.append(repr(geom.y) if is_point else "")
    return frame.assign(**{LON_COLUMN: x, LAT_COLUMN: y}), problems


def key_cells(table, columns: dict, name: str) -> list[str]:
    """The cells of field `name` as ids (see clean_key); '' for every row without the column."""
    if columns.get(name) is None:
        return [""] * len(table.frame)
    return [clean_key(value) for value in table.frame[columns[name]]]


def clean_key(value) -> str:
    """An id cell as text: control characters removed, spaces trimmed."""
    return clean_text(value)[0].strip()
