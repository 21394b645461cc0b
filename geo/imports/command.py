"""`python -m geo import FILE --layer LAYER …`: a file in, a row-level rejection report out.

The file is read in chunks (a CSV as a stream), every row checked and the good ones staged
with COPY, then written (and the geocoder run on what they change), all in one transaction; the rejected rows go to a CSV report (line, id,
reason) beside the input or where --report says, the warnings of loaded rows (control
characters removed, geometry repaired, a code off the city's code scheme) to FILE.warnings.csv. `read = inserted + updated +
unchanged + rejected` always holds. Exit code 0 when the file was processed (even with
rejected rows), 1 when it was refused as a whole.
"""

import csv
import getpass
import itertools
import json
import os
import sys
import time
from pathlib import Path

from psycopg.types.json import Jsonb
from tqdm import tqdm

from geo.db.connection import transaction
from geo.errors import UserError
from geo.imports.columns import match_columns, parse_mapping
from geo.imports.layers import LAYERS
from geo.imports.rows import check_table
from geo.imports.staging import create_staging, remove_repeated, stage_rows, staged_count
from geo.imports.tables import CHUNK_ROWS, read_chunks

LOG = "INSERT INTO import_log (author, layer, file, summary) VALUES (%s, %s, %s, %s)"
NOTHING_WRITTEN = {"inserted": 0, "updated": 0, "flags": {}}


def add_parser(commands) -> None:
    cmd = commands.add_parser("import", help="import a file (CSV, XLSX, GeoJSON, GeoPackage, Shapefile) into a layer")
    cmd.add_argument("file", nargs="?", help="the file to import")
    cmd.add_argument("--layer", choices=sorted(LAYERS), help="which layer the file holds")
    cmd.add_argument("--layers", action="store_true", help="list each layer's fields and which are required")
    cmd.add_argument("--crs", help="the coordinates' system when the file names none or names it wrongly: "
                                   "EPSG:N, cgcs2000, gcj02, bd09")  # fmt: skip
    cmd.add_argument("--encoding", help="gbk|utf-8 (default: UTF-8, else GBK; a Shapefile's .cpg when it has one)")
    cmd.add_argument("--sheet", help="XLSX: the sheet (default: the first)")
    cmd.add_argument("--layer-name", help="GeoPackage or ZIP: the layer or file inside to read")
    cmd.add_argument("--map", action="append", metavar="SRC=DST", help="read column SRC as field DST (repeatable)")
    cmd.add_argument("--repair", action="store_true", help="repair invalid polygons (make_valid) and name each one")
    cmd.add_argument("--report", help="where to write rejected rows (default: FILE.rejected.csv)")
    cmd.add_argument("--json", action="store_true", help="print the summary as one JSON object on the last line")
    cmd.set_defaults(handler=run)


def run(args) -> int:
    if args.layers:
        print(layer_listing())
        return 0
    if not args.file or not args.layer:
        raise UserError("import needs FILE and --layer (or --layers to list them)")
    summary = import_file(args.file, args.layer, args)
    from geo.risk.refresh import refresh_scores  # the statistics libraries load only when needed

    summary["risk"] = refresh_scores()
    print(_text(summary))
    if args.json:
        print(json.dumps(summary, ensure_ascii=False))
    return 0


def import_file(path: str, layer_name: str, args) -> dict:
    """Read, check, write and report one file; return the summary."""
    layer, started = LAYERS[layer_name], time.perf_counter()
    chunks = read_chunks(path, args.encoding, args.sheet, args.layer_name, args.repair, _chunk_rows(layer))
    first = next(chunks)
    if not first.lines:
        raise UserError(f"{path}: a header and no rows: nothing to import")
    reports = _ready(args.report or f"{path}.rejected.csv"), _ready(f"{path}.warnings.csv")
    columns = match_columns(list(first.frame.columns), layer.fields, parse_mapping(args.map))
    origin = f"{getpass.getuser()}: import {Path(path).name}"
    read, rejected, warnings, context = 0, [], [], None
    seconds = dict.fromkeys(("read", "check", "stage"), 0.0)
    with transaction() as conn, tqdm(unit=" rows", disable=not sys.stderr.isatty(), file=sys.stderr) as progress:
        create_staging(conn, layer)
        for table in _timed(itertools.chain([first], chunks), seconds, started):
            mark = time.perf_counter()
            context = layer.prepare(conn, table, columns) if layer.prepare else None
            checked = (layer.check or check_table)(table, layer, columns, args.crs, args.repair, context)
            mark = _add(seconds, "check", mark)
            stage_rows(conn, layer, checked.rows)
            _add(seconds, "stage", mark)
            read, rejected, warnings = read + len(table.frame), rejected + checked.rejected, warnings + checked.warnings
            progress.update(len(table.frame))
        mark = time.perf_counter()
        rejected = sorted(rejected + remove_repeated(conn, layer))
        warnings = _of_loaded_rows(warnings, rejected)
        good = staged_count(conn, layer)
        _add(seconds, "stage", mark)
        written = layer.write(conn, context, origin) if good else NOTHING_WRITTEN
        summary = _summary(read, good, written, rejected, warnings)
        summary["seconds"] = _seconds(seconds, written.get("seconds"), started)
        conn.execute(LOG, [getpass.getuser(), layer_name, str(Path(path).resolve()), Jsonb(summary)])
    summary["report"] = _write_rows(reports[0], ["line", "id", "reason"], rejected)
    summary["warnings_report"] = _write_rows(reports[1], ["line", "id", "warning"], warnings)
    return summary


def _timed(tables, seconds: dict, started: float):
    """The tables, adding the time spent reading each (since `started`, then since the
    last one was handed over) to seconds['read']."""
    mark = started
    for table in tables:
        _add(seconds, "read", mark)
        yield table
        mark = time.perf_counter()


def _add(seconds: dict, stage: str, since: float) -> float:
    """Add the time since `since` to `stage`; return now."""
    now = time.perf_counter()
    seconds[stage] += now - since
    return now


def _seconds(seconds: dict, written: dict | None, started: float) -> dict:
    """The seconds of each stage: reading, checking and staging the rows, then the writer's
    own (the cases': upsert, place and facts), and in all."""
    stages = seconds | (written or {})
    return {key: round(value, 2) for key, value in stages.items()} | {"total": round(time.perf_counter() - started, 2)}


def _of_loaded_rows(warnings: list, rejected: list) -> list:
    """The warnings of rows that were not rejected after all (a repeated id is found late)."""
    gone = {line for line, _key, _reason in rejected}
    return [warning for warning in warnings if warning[0] not in gone]


def _ready(target: str) -> Path:
    """A report's path, checked before anything is written (a report that cannot be written
    must not leave the data loaded and the reasons lost); the report of an earlier run is
    removed, so that what is there always belongs to this one."""
    path = Path(target)
    if not path.parent.is_dir() or not os.access(path.parent, os.W_OK):
        raise UserError(f"cannot write the report {target}: its folder is missing or read-only (pass --report)")
    path.unlink(missing_ok=True)
    return path


def _chunk_rows(layer) -> int | None:
    return None if layer.whole_file else CHUNK_ROWS


def _summary(read: int, good: int, written: dict, rejected: list, warnings: list) -> dict:
    """The counts of an import; what a layer's writer adds beyond inserted, updated and flags
    (the cases' unknown categories, the catalogue's new unclassified categories) as it is."""
    flags = {reason: count for reason, count in written["flags"].items() if count}
    extra = {key: value for key, value in written.items() if key not in NOTHING_WRITTEN and key != "seconds"}
    return extra | {
        "read": read,
        "inserted": written["inserted"],
        "updated": written["updated"],
        "unchanged": good - written["inserted"] - written["updated"],
        "rejected": len(rejected),
        "flagged": sum(flags.values()),
        "flags": flags,
        "warnings": len(warnings),
    }


def _write_rows(target: Path, header: list[str], rows: list) -> str | None:
    if not rows:
        return None
    with target.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows([_inert(cell) for cell in row] for row in rows)
    return str(target)


def _inert(cell):
    """A cell that a spreadsheet would run as a formula (=, +, -, @ first) shown as text."""
    return "'" + cell if isinstance(cell, str) and cell[:1] in ("=", "+", "-", "@") else cell


def _text(summary: dict) -> str:
    parts = [f"{key} {summary[key]:,}" for key in ("read", "inserted", "updated", "unchanged", "rejected", "flagged")]
    lines = ["; ".join(parts)]
    lines += [f"  flagged: {count:,} {reason}" for reason, count in summary["flags"].items()]
    unknown = summary.get("unknown_categories") or {}
    if unknown:
        lines.append(f"{len(unknown):,} category text(s) not in the catalogue, stored unclassified "
                     "(map them: python -m geo categories map RAW CODE):")  # fmt: skip
        lines += [f"  {count:>8,}  {raw or '(empty)'}" for raw, count in unknown.items()]
    sources = summary.get("unknown_sources") or {}
    if sources:
        lines.append(f"{len(sources):,} channel(s) not recognised, stored as 其他 (other):")
        lines += [f"  {count:>8,}  {raw}" for raw, count in sources.items()]
    if summary["report"]:
        lines.append(f"rejected rows (line, id, reason) in {summary['report']}")
    if summary["warnings_report"]:
        lines.append(
            f"{summary['warnings']:,} warning(s) (rows changed on the way in, codes off the code scheme), "
            f"listed in {summary['warnings_report']}"
        )
    if summary.get("risk") and summary["risk"].get("grids_rescored", 1) and "error" not in summary["risk"]:
        risk = summary["risk"]
        rescored = f"{risk['grids_rescored']:,} grid(s) rescored" if "grids_rescored" in risk else "all grids rescored"
        lines.append(f"risk scores of {risk['as_of']}: {rescored}")
    return "\n".join(lines)


def layer_listing() -> str:
    """Each layer's fields: required ones marked, with the column names recognised."""
    lines = []
    for name, layer in LAYERS.items():
        lines.append(f"{name} ({layer.title}, geometry: {layer.shape or 'none'}):")
        for field in layer.fields:
            mark = "required" if field.required else "optional"
            lines.append(f"  {field.name:<15} {mark:<9} {' / '.join(field.names)}  ({field.help})")
    return "\n".join(lines)
