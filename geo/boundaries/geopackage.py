"""A community's boundaries to a GeoPackage and back, for planners who edit in QGIS.

`export_boundaries` writes two layers, `grids` and `micro_grids` (EPSG:4326, readable columns).
`import_boundaries` turns an edited file into a new draft (source "geopackage"), stored as one
step and validated as the editor does; `python -m geo boundaries commit` then commits it.

The rules of the import:
- A feature is matched to the draft's grid (micro-grid) by `code`. A match takes the file's
  shape and attributes and keeps its stored row (the commit sees a change, or none); a new code
  is a new grid; a grid of the draft that the file lacks is removed. Columns the file lacks keep
  the draft's values; a null name, level, kind or households keeps the draft's value too.
- Households follow the buildings as in the editor: where a shape changed they are recounted,
  and where that differs from the file's number the report says so.
- Without a `micro_grids` layer the draft's micro-grids stay, each given to the basic grid that
  holds most of its area and clipped to it; those of removed grids, or lying in no grid, go
  (listed in the report). With the layer, the layer is the micro-grids (same rules as grids).
- The file is refused as a whole (UserError, nothing written) when it is no GeoPackage, lacks
  the `grids` layer or a `code` column, holds a code twice, no code, a code of the city's scheme
  (geo/shared/code_scheme.py) for another community, or numbers stored as decimals or text (a code as a float has lost digits;
  households 215.0 is not guessed to be 215). A feature that cannot be taken (no geometry, not a
  polygon, beyond repair, an impossible attribute) fails the import too, with every such row
  listed; `skip_bad=True` imports the rest instead and lists them in the report (their grids
  stay as in the draft, never removed). Invalid polygons are repaired with make_valid when the
  result is a polygon, and the report says so; a file without a CRS is read as EPSG:4326 and
  another CRS is reprojected, both noted. Row numbers are the features' fid (as QGIS shows).
"""

import datetime as dt
import os
from dataclasses import replace
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely

from geo.boundaries import history, store
from geo.boundaries.commit import SAME_SHAPE_M2, diff
from geo.boundaries.draft import Draft, Grid, MicroGrid, as_multi
from geo.boundaries.validate import validate
from geo.errors import UserError
from geo.shared.code_scheme import identifier_problem, load_scheme
from geo.shared.grid_kinds import EXCLUSIVE_TYPES

GRID_COLUMNS = ["code", "name", "level", "is_basic", "kind", "exclusive_type", "parent_code", "households",
                "valid_from", "valid_to"]  # fmt: skip
MICRO_COLUMNS = ["code", "grid_code", "kind", "households", "valid_from", "valid_to"]
INTEGER_FIELDS = ("level", "households")
CODE_FIELDS = ("code", "parent_code", "grid_code")
TEXT_FIELDS = ("name", "kind", "exclusive_type")
GRID_KINDS, MICRO_KINDS = ("regular", "exclusive"), ("building", "ten_households")
INTEGER_TYPES, LISTED = ("OFTInteger", "OFTInteger64"), 10


def export_boundaries(conn, community_code: str, path, at: dt.datetime | None = None) -> dict:
    """Write the community's grids and micro-grids, current or as of `at`, to the GeoPackage
    `path` (replaced when it exists); return the counts.

    >>> export_boundaries(conn, "411802001001", "taihe.gpkg")
    {'grids': 12, 'micro_grids': 80, 'path': 'taihe.gpkg', 'as_of': None}
    """
    target = Path(path)
    if not target.parent.is_dir():
        raise UserError(f"cannot write {path}: its folder does not exist")
    grids = history.grids_as_of(conn, community_code, at)
    if grids.empty:
        raise UserError(f"community {community_code} had no grids{' as of ' + str(at) if at else ''}")
    micro = history.micro_grids_as_of(conn, community_code, at)
    part = target.with_name(f".{target.stem}.writing.gpkg")
    part.unlink(missing_ok=True)
    try:
        _write_layer(grids[[*GRID_COLUMNS, "geometry"]], part, "grids")
        _write_layer(micro[[*MICRO_COLUMNS, "geometry"]], part, "micro_grids")
        os.replace(part, target)
    finally:
        part.unlink(missing_ok=True)
    return {"grids": len(grids), "micro_grids": len(micro), "path": str(target), "as_of": at}


def _write_layer(frame: gpd.GeoDataFrame, path: Path, layer: str) -> None:
    frame = frame.copy()
    frame["households"] = frame["households"].astype("int64")
    if "level" in frame:
        frame["level"] = frame["level"].astype("int64")
    for column in ("valid_from", "valid_to"):
        frame[column] = pd.to_datetime(frame[column], utc=True)
    frame.to_file(path, layer=layer, driver="GPKG", engine="pyogrio", geometry_type="MultiPolygon")


def import_boundaries(conn, path, community_code: str, author: str, skip_bad: bool = False) -> tuple:
    """Turn the GeoPackage `path` into a new draft of the community; return (draft_id,
    problems, report). The report: file, grids_read, micro_grids_read, notes and not_taken
    (dicts of layer, row, code, text), changes (codes changed/created/removed per layer).
    All in one transaction: on a UserError nothing is left behind.

    >>> draft_id, problems, report = import_boundaries(conn, "taihe.gpkg", "411802001001", "王规划")
    """
    community_code = (community_code or "").strip()
    if identifier_problem(community_code):
        raise UserError(f"community code {community_code!r}: {identifier_problem(community_code)}")
    report = {"file": str(path), "notes": [], "not_taken": []}
    grid_rows, micro_rows = read_file(path, community_code, report)
    with conn.transaction():
        draft = store.open_draft(conn, community_code, author, source="geopackage")
        built = build_draft(draft, grid_rows, micro_rows, report)
        if report["not_taken"] and not skip_bad:
            raise UserError(f"{path}: {len(report['not_taken'])} feature(s) cannot be taken: "
                            + _listing([_line(item) for item in report["not_taken"]])
                            + "; fix them, or import the rest (--skip-bad)")  # fmt: skip
        detail = {"file": Path(path).name, "not_taken": len(report["not_taken"])}
        store.replace_draft(conn, built, "import_geopackage", detail)
        stored = store.load_draft(conn, draft.id)
        base = store.read_base(conn, draft.id, beside=stored)
        _note_recounts(stored, grid_rows, micro_rows, report)
        report["changes"] = summarise(diff(stored, base))
        problems = validate(stored, base)
    return draft.id, problems, report


def read_file(path, community_code: str, report: dict) -> tuple[list, list | None]:
    """The features of the file's `grids` and `micro_grids` layers as checked dicts (row, code,
    attributes, geom), or a UserError naming every row that makes the file unusable."""
    layers = _layers(path)
    if "grids" not in layers:
        raise UserError(f"{path}: no layer named 'grids' (it has: {', '.join(layers) or 'none'})")
    grid_rows = _read_layer(path, "grids", community_code, report)
    report["micro_grids_read"] = None
    micro_rows = _read_layer(path, "micro_grids", community_code, report) if "micro_grids" in layers else None
    return grid_rows, micro_rows


def _layers(path) -> list[str]:
    if not Path(path).is_file():
        raise UserError(f"{path}: no such file")
    try:
        layers = [str(name) for name in pyogrio.list_layers(path)[:, 0]]
        info = pyogrio.read_info(path, layer=layers[0]) if layers else {"driver": "GPKG"}
    except Exception as error:  # GDAL's errors differ per format and version
        raise UserError(f"{path}: not a readable GeoPackage ({_reason(error)})") from None
    if info.get("driver") != "GPKG":
        raise UserError(f"{path}: not a GeoPackage (GDAL reads it as {info.get('driver')}); export one from QGIS")
    return layers


def _read_layer(path, layer: str, community_code: str, report: dict) -> list[dict]:
    info = pyogrio.read_info(path, layer=layer)
    if "code" not in list(info["fields"]):
        raise UserError(f"{path}: layer {layer} has no column 'code' (columns: {', '.join(info['fields'])})")
    if info["geometry_type"] is None:
        raise UserError(f"{path}: layer {layer} is a table without geometry")
    if info["features"] == 0 and layer == "grids":
        raise UserError(f"{path}: layer grids holds no features (an import does not remove a whole community)")
    types = dict(zip(info["fields"], info["ogr_types"]))
    try:
        frame = pyogrio.read_dataframe(path, layer=layer, fid_as_index=True)
    except Exception as error:
        raise UserError(f"{path}: layer {layer} cannot be read ({_reason(error)})") from None
    _check_types(path, layer, types, frame)
    frame = _to_wgs84(frame, info["crs"], layer, report)
    rows = [_row(layer, int(fid), record, types) for fid, record in zip(frame.index, frame.to_dict("records"))]
    _check_codes(path, layer, rows, community_code)
    report[f"{layer}_read"] = len(rows)
    taken = []
    for row in rows:
        reason = _attribute_problem(layer, row) or _take_shape(layer, row, report)
        if reason:
            report["not_taken"].append({"layer": layer, "row": row["row"], "code": row["code"], "text": reason})
        else:
            taken.append(row)
    return taken


def _check_types(path, layer: str, types: dict, frame) -> None:
    """Numbers must be stored as whole numbers and codes as text (or whole numbers): a decimal
    code has lost its last digits, a decimal household count is not guessed to be whole."""
    for field, ogr_type in types.items():
        numeric = field in INTEGER_FIELDS or field == "is_basic"
        if field in CODE_FIELDS and ogr_type not in ("OFTString", *INTEGER_TYPES):
            wrong = f"stored as {ogr_type[3:]} numbers; codes must be text (a decimal code loses digits)"
        elif numeric and ogr_type not in INTEGER_TYPES:
            wrong = f"stored as {ogr_type[3:]}; it must be a whole-number (Integer) column"
        else:
            continue
        raise UserError(f"{path}: layer {layer}, column {field} is {wrong}{_example(frame[field])}")


def _example(column) -> str:
    """(row N: value) for the column's first value, to show what is wrong with it."""
    given = column.dropna()
    if not len(given):
        return ""
    value = given.iloc[0].item() if hasattr(given.iloc[0], "item") else given.iloc[0]
    return f" (row {given.index[0]}: {value!r})"


def _to_wgs84(frame: gpd.GeoDataFrame, crs, layer: str, report: dict) -> gpd.GeoDataFrame:
    if crs is None:
        report["notes"].append(_note(layer, None, None, "the layer names no CRS: read as EPSG:4326"))
        return frame.set_crs(4326)
    if frame.crs.to_epsg() != 4326:
        report["notes"].append(_note(layer, None, None, f"reprojected from {crs} to EPSG:4326"))
        return frame.to_crs(4326)
    return frame


def _row(layer: str, fid: int, record: dict, types: dict) -> dict:
    row = {"layer": layer, "row": fid, "geom": record.pop("geometry", None)}
    for field, value in record.items():
        if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NaT:
            row[field] = None
        elif field in CODE_FIELDS:
            row[field] = str(int(value)) if types[field] in INTEGER_TYPES else str(value).strip() or None
        elif field in INTEGER_FIELDS:
            row[field] = int(value)
        elif field == "is_basic":
            row[field] = value if isinstance(value, (bool, np.bool_)) else ("0/1", int(value))
        else:
            row[field] = str(value).strip() or None if field in TEXT_FIELDS else value
    row.setdefault("code", None)
    return row


def _check_codes(path, layer: str, rows: list[dict], community_code: str) -> None:
    """Refuse the file when a code is missing, not a code, of the scheme's form for another
    community, or repeated."""
    wrong, seen, scheme = [], {}, load_scheme()
    fits = scheme.grid_fits if layer == "grids" else scheme.micro_fits
    for row in rows:
        code, where = row["code"], f"{layer} row {row['row']}"
        if code is None:
            wrong.append(f"{where}: no code")
        elif identifier_problem(code):
            wrong.append(f"{where}: code {code!r} is not a code ({identifier_problem(code)})")
        elif fits(code) and not code.startswith(community_code):
            wrong.append(f"{where}: code {code} is not of community {community_code}")
        elif code in seen:
            wrong.append(f"{where}: code {code} already on row {seen[code]}")
        seen.setdefault(code, row["row"])
    if wrong:
        raise UserError(f"{path}: {_listing(wrong)}")


def _attribute_problem(layer: str, row: dict) -> str | None:
    """Why the feature's attributes cannot be stored (None when they can)."""
    kinds = GRID_KINDS if layer == "grids" else MICRO_KINDS
    if row.get("kind") is not None and row["kind"] not in kinds:
        return f"kind {row['kind']!r} is not one of {', '.join(kinds)}"
    if isinstance(row.get("is_basic"), tuple):
        value = row["is_basic"][1]
        if value not in (0, 1):
            return f"is_basic {value} is not 0 or 1"
        row["is_basic"] = bool(value)
    if (row.get("households") or 0) < 0:
        return f"households {row['households']} is negative"
    if row.get("level") is not None and row["level"] not in (1, 2, 3):
        return f"level {row['level']} is not 1, 2 or 3"
    if row.get("exclusive_type") is not None and row["exclusive_type"] not in EXCLUSIVE_TYPES:
        return f"exclusive_type {row['exclusive_type']!r} is not one of {', '.join(EXCLUSIVE_TYPES)}"
    for field in ("parent_code", "grid_code"):
        code = row.get(field)
        if code is not None and identifier_problem(code):
            return f"{field} {code!r} is not a code ({identifier_problem(code)})"
    return None


def _take_shape(layer: str, row: dict, report: dict) -> str | None:
    """Make the row's geometry a valid MultiPolygon; return why not, or note a repair."""
    geom = row["geom"]
    if geom is None or geom.is_empty:
        return "no geometry"
    geom = shapely.force_2d(geom)
    if geom.geom_type not in ("Polygon", "MultiPolygon"):
        return f"a {geom.geom_type}, not a polygon"
    if not shapely.is_valid(geom):
        reason = shapely.is_valid_reason(geom)
        geom = as_multi(shapely.make_valid(geom))
        if geom.is_empty:
            return f"invalid ({reason}) and make_valid leaves no polygon"
        report["notes"].append(_note(layer, row["row"], row["code"], f"invalid ({reason}): repaired with make_valid"))
    row["geom"] = as_multi(geom)
    return None


def build_draft(draft: Draft, grid_rows: list, micro_rows: list | None, report: dict) -> Draft:
    """The draft as the file describes it (see the module's rules)."""
    built = draft.copy()
    kept = {item["code"] for item in report["not_taken"] if item["layer"] == "grids"}
    parents = {row.get("parent_code") for row in grid_rows}
    grids = {code: grid for code, grid in draft.grids.items() if code in kept}
    for row in grid_rows:
        grid = _grid(row, draft.grids.get(row["code"]), parents)
        if isinstance(grid, str):
            report["not_taken"].append({"layer": "grids", "row": row["row"], "code": row["code"], "text": grid})
            if row["code"] in draft.grids:
                grids[row["code"]] = draft.grids[row["code"]]
        else:
            grids[row["code"]] = grid
    built.grids = grids
    if micro_rows is None:
        built.micro_grids = fit_micro_grids(draft, grids, report)
    else:
        built.micro_grids = _micro_grids(draft, micro_rows, report)
    return built


def _grid(row: dict, old: Grid | None, parents: set) -> Grid | str:
    """The grid the row describes (its stored row kept when it matches one), or why not."""
    given = {f: row[f] for f in ("name", "level", "is_basic", "kind", "households") if row.get(f) is not None}
    given |= {f: row[f] for f in ("parent_code", "exclusive_type") if f in row}
    if old is not None:
        grid = replace(old, **given, geom=row["geom"])
    elif "name" not in given:
        return "a new grid needs a name"
    else:
        level = given.pop("level", 1 if row["code"][12:] == "0000" else 2 if row["code"][14:] == "00" else 3)
        defaults = {"kind": "regular", "is_basic": row["code"] not in parents, "households": 0}
        fields = {"parent_code": None, "exclusive_type": None} | defaults | given
        grid = Grid(code=row["code"], base_id=None, level=level, target_households=None, geom=row["geom"], **fields)
    if (grid.kind == "exclusive") != (grid.exclusive_type is not None):
        return "an exclusive grid (kind) needs an exclusive_type, and only it"
    if (grid.level == 1) != (grid.parent_code is None):
        return "a grid has a parent_code unless its level is 1"
    return grid


def _micro_grids(draft: Draft, rows: list, report: dict) -> dict[str, MicroGrid]:
    kept = {item["code"] for item in report["not_taken"] if item["layer"] == "micro_grids"}
    micro_grids = {code: micro for code, micro in draft.micro_grids.items() if code in kept}
    for row in rows:
        old = draft.micro_grids.get(row["code"])
        given = {f: row[f] for f in ("grid_code", "kind", "households") if row.get(f) is not None}
        if old is not None:
            micro_grids[row["code"]] = replace(old, **given, geom=row["geom"])
        elif "grid_code" in given and "kind" in given:
            fields = {"households": 0} | given
            micro_grids[row["code"]] = MicroGrid(code=row["code"], base_id=None, geom=row["geom"], **fields)
        else:
            text = "a new micro-grid needs its grid_code and kind"
            report["not_taken"].append({"layer": "micro_grids", "row": row["row"], "code": row["code"], "text": text})
    return micro_grids


def fit_micro_grids(draft: Draft, grids: dict[str, Grid], report: dict) -> dict[str, MicroGrid]:
    """The draft's micro-grids fitted to the new grids (no micro_grids layer in the file): each
    goes to the basic grid holding most of its area and is clipped to it (one reaching less than
    SAME_SHAPE_M2 beyond its own grid is left alone: float noise); those of a removed grid, or
    left with no area, are removed."""
    basic = [grid for grid in grids.values() if grid.is_basic]
    tree = shapely.STRtree([grid.geom for grid in basic])
    fitted = {}
    for micro in draft.micro_grids.values():
        own = grids.get(micro.grid_code)
        if own is None:
            report["notes"].append(_note("micro_grids", None, micro.code, f"removed with its grid {micro.grid_code}"))
            continue
        if own.is_basic and draft.area_m2(shapely.difference(micro.geom, own.geom)) < SAME_SHAPE_M2:
            fitted[micro.code] = micro
            continue
        candidates = tree.query(micro.geom, predicate="intersects")
        areas = [shapely.intersection(micro.geom, basic[i].geom).area for i in candidates]
        if not areas or max(areas) == 0:
            report["notes"].append(_note("micro_grids", None, micro.code, "removed: it lies in no grid now"))
            continue
        best = basic[candidates[int(np.argmax(areas))]]
        fitted[micro.code] = replace(
            micro, grid_code=best.code, geom=as_multi(shapely.intersection(micro.geom, best.geom))
        )
        moved = f", moved from {micro.grid_code} to {best.code}" if best.code != micro.grid_code else ""
        report["notes"].append(_note("micro_grids", None, micro.code, f"clipped to its grid's new boundary{moved}"))
    return fitted


def _note_recounts(stored: Draft, grid_rows: list, micro_rows: list | None, report: dict) -> None:
    """Say where the households were recounted from the buildings and differ from the file."""
    for rows, items in ((grid_rows, stored.grids), (micro_rows or [], stored.micro_grids)):
        for row in rows:
            item = items.get(row["code"])
            if item is not None and row.get("households") is not None and item.households != row["households"]:
                text = f"households {row['households']} in the file, {item.households} counted from the buildings"
                report["notes"].append(_note(row["layer"], row["row"], row["code"], text))


def summarise(changes) -> dict:
    """Codes changed, created and removed, per layer, from the commit's diff."""
    summary = {layer: {"changed": [], "created": [], "removed": []} for layer in ("grid", "micro_grid")}
    for record in changes.records:
        summary[record["layer"]][record["change"]].append(record["code"])
    return summary


def _reason(error: Exception) -> str:
    """GDAL's message, its first sentence (the rest is advice on drivers)."""
    text = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
    return text.split("; ")[0].rstrip(".")


def _note(layer: str, row: int | None, code: str | None, text: str) -> dict:
    return {"layer": layer, "row": row, "code": code, "text": text}


def _line(item: dict) -> str:
    where = item["layer"] + (f" row {item['row']}" if item["row"] is not None else "")
    code = f" ({item['code']})" if item["code"] else ""
    return f"{where}{code}: {item['text']}"


def _listing(lines: list[str]) -> str:
    more = f"; and {len(lines) - LISTED} more" if len(lines) > LISTED else ""
    return "; ".join(lines[:LISTED]) + more
