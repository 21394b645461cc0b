"""`python -m geo geocode`: one address or point as JSON, a CSV file, or the cases in bulk."""

import json
import math

import pandas as pd

from geo.db.connection import transaction
from geo.errors import UserError
from geo.shared.crs import SYSTEMS, to_wgs84

ONE_RECORD_FIELDS = [
    "status",
    "method",
    "confidence",
    "grid_code",
    "micro_grid_code",
    "building_id",
    "standard_address",
    "lon",
    "lat",
    "building_distance_m",
    "nearest_grid_code",
    "outside_distance_m",
    "address_conflict_m",
    "address_key",
    "boundary_version_id",
]


def add_parser(commands) -> None:
    cmd = commands.add_parser("geocode", help="place addresses and points on grids, micro-grids and buildings")
    what = cmd.add_mutually_exclusive_group(required=True)
    what.add_argument(
        "--address",
        metavar="TEXT",
        help="one address (to check a point against an address, use --lonlat with --with-address)",
    )
    what.add_argument("--lonlat", metavar="X,Y", help="one point: longitude,latitude")
    what.add_argument("--file", metavar="IN.csv", help="a CSV file with address and/or 经度/纬度 columns")
    what.add_argument("--pending", action="store_true", help="place every case that has no placement yet")
    what.add_argument("--refresh", action="store_true", help="recompute every placement, write only changes")
    what.add_argument("--review", action="store_true", help="list the review queue as JSON lines")
    what.add_argument("--confirm", metavar="CASE_ID", type=int, help="confirm a building for a queued case")
    cmd.add_argument("--with-address", metavar="TEXT", dest="address_too", help="with --lonlat: the address as well")
    cmd.add_argument("--crs", default=None, help=f"system of the coordinates: {'|'.join(SYSTEMS)} (default wgs84)")
    cmd.add_argument("--out", metavar="OUT.csv", help="with --file: where to write the result")
    cmd.add_argument("--building", type=int, help="with --confirm: the building id")
    cmd.add_argument("--by", default="cli", help="with --confirm: who confirms (recorded)")
    cmd.add_argument("--limit", type=_positive, default=50, help="with --review: how many")
    cmd.set_defaults(handler=run)


def run(args) -> int:
    with transaction() as conn:
        if args.address is not None or args.lonlat is not None:
            print(json.dumps(one_record(conn, args), ensure_ascii=False))
        elif args.file:
            print(json.dumps(_file(conn, args), ensure_ascii=False))
        elif args.review:
            from geo.geocode.review import review_queue

            for item in review_queue(conn, args.limit):
                print(json.dumps(item, ensure_ascii=False))
        elif args.confirm is not None:
            print(json.dumps(_confirm(conn, args), ensure_ascii=False))
        else:
            from geo.geocode.bulk import assign_pending, reassign

            summary = assign_pending(conn) if args.pending else reassign(conn)
    if args.pending or args.refresh:
        from geo.risk.refresh import refresh_scores  # the statistics libraries load only when needed

        summary["risk"] = refresh_scores()
        print(json.dumps(summary, ensure_ascii=False))
    return 0


def one_record(conn, args) -> dict:
    """The placement of one address and/or point, with review candidates when unmatched."""
    from geo.geocode.locate import locate

    lon, lat = _point(args.lonlat, args.crs) if args.lonlat else (math.nan, math.nan)
    address = args.address if args.address is not None else args.address_too
    if address is not None and not address.strip():
        raise UserError("the address is empty")
    placed = locate(conn, [lon], [lat], [address]).iloc[0]
    result = {field: _plain(placed[field]) for field in ONE_RECORD_FIELDS}
    if address is not None:
        result["components"] = address_components(conn, address)
    if placed["candidates"]:
        result["candidates"] = json.loads(placed["candidates"])
    return result


def address_components(conn, text: str) -> dict:
    """How the address was read: area names by level, then the parts of the rest."""
    from geo.geocode.address import normalise, parse
    from geo.geocode.gazetteer import area_names

    names = area_names(conn)
    address = parse(normalise(text), names)
    levels = {1: "city", 2: "county", 3: "township", 4: "community"}
    parts = {levels[names.levels[area]]: area for area in address.areas if names.levels.get(area) in levels}
    for part in ("road", "number", "estate", "group", "building", "unit", "room"):
        parts[part] = getattr(address, part) or None
    return {"normalised": address.text} | parts


def _point(text: str, crs: str | None) -> tuple[float, float]:
    try:
        x, y = (float(part) for part in text.split(","))
    except ValueError as error:
        raise UserError(f"--lonlat wants two numbers X,Y (longitude,latitude), got {text!r}") from error
    if not (math.isfinite(x) and math.isfinite(y)) or abs(x) > 180 or abs(y) > 90:
        hint = " (longitude and latitude swapped?)" if abs(y) > 90 >= abs(x) else ""
        raise UserError(f"--lonlat {text!r} is not a longitude,latitude pair{hint}")
    lon, lat = to_wgs84([x], [y], crs or "wgs84")
    return float(lon[0]), float(lat[0])


def _file(conn, args) -> dict:
    from geo.geocode.files import geocode_file

    if not args.out:
        raise UserError("--file needs --out OUT.csv")
    return geocode_file(conn, args.file, args.out, args.crs)


def _confirm(conn, args) -> dict:
    from geo.geocode.review import confirm

    if args.building is None:
        raise UserError("--confirm needs --building ID")
    return confirm(conn, args.confirm, args.building, args.by)


def _positive(text: str) -> int:
    import argparse

    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"a whole number from 1 up, not {text!r}")
    return int(text)


def _plain(value):
    """JSON-friendly: NaN and None → None, numpy numbers → Python numbers."""
    if value is None or (not isinstance(value, str | list | dict) and pd.isna(value)):
        return None
    return value.item() if hasattr(value, "item") else value
