"""`python -m geo categories list|unknown|map`: the catalogue, what it did not know, and mapping.

`map RAW CODE` (or `map --file F`, a CSV of raw,code rows) puts the stored cases that came
with the text RAW into the category CODE and remembers it, so that the next import places
such a case there at once. A code the catalogue does not have refuses the whole command
(nothing changed); so does a text that already is a category's name or synonym (that is the
catalogue's to say: edit the catalogue file).
"""

import csv
import getpass
from pathlib import Path

from geo.db.connection import connect, load_query, transaction
from geo.errors import UserError
from geo.shared.categories import lookup_key, normal, read_catalogue

HEADER_WORDS = {"raw", "text", "原文", "原始值", "原分类", "原值", "code", "编码", "分类编码"}
CODES = "SELECT code FROM case_category"


def add_parser(commands) -> None:
    cmd = commands.add_parser("categories", help="the case category catalogue: list, unknown texts, map them")
    actions = cmd.add_subparsers(dest="action", required=True, metavar="ACTION")
    actions.add_parser("list", help="groups and categories with names, deadline, synonyms, cases").set_defaults(
        handler=run_list
    )
    actions.add_parser("unknown", help="texts of cases still unclassified, with counts").set_defaults(
        handler=run_unknown
    )
    mapping = actions.add_parser("map", help="reclassify cases that came with RAW as CODE, and remember it")
    mapping.add_argument("raw", nargs="?", help="the text as the case file had it")
    mapping.add_argument("code", nargs="?", help="the category's code (python -m geo categories list)")
    mapping.add_argument("--file", help="a CSV of raw,code rows (a header row is allowed)")
    mapping.set_defaults(handler=run_map)


def run_list(args) -> int:
    with connect() as conn:
        rows = conn.execute(load_query("categories/listing")).fetchall()
    group = None
    for group_code, group_zh, group_en, code, zh, en, days, severity, synonyms, unclassified, cases in rows:
        if group_code != group:
            print(f"{group_code}  {group_zh} / {group_en}")
            group = group_code
        mark = " [unclassified]" if unclassified else ""
        weight = f", severity {severity:g}" if severity is not None else ""
        also = f"; also {'；'.join(synonyms)}" if synonyms else ""
        print(f"  {code:<30} {zh} / {en}{mark} ({days} days{weight}; {cases:,} cases{also})")
    return 0


def run_unknown(args) -> int:
    with connect() as conn:
        rows = conn.execute(load_query("categories/unknown")).fetchall()
    if not rows:
        print("no case is unclassified")
    for raw, category, cases in rows:
        print(f"{cases:>8,}  {raw or '(empty)'}  → {category}")
    return 0


def run_map(args) -> int:
    if args.file and (args.raw or args.code):
        raise UserError("categories map takes RAW CODE or --file F, not both")
    pairs = read_pairs(args.file) if args.file else [(None, args.raw, args.code)]
    if not args.file and not (args.raw and args.code):
        raise UserError("categories map needs RAW and CODE (or --file F)")
    with transaction() as conn:
        moved = map_texts(conn, pairs, getpass.getuser())
    print(f"{len(pairs):,} mapping(s) remembered; {moved:,} case(s) reclassified")
    from geo.risk.refresh import refresh_scores  # the statistics libraries load only when needed

    refresh_scores()
    return 0


def map_texts(conn, pairs: list[tuple], author: str) -> int:
    """Check every (line, raw, code) first, then remember each mapping and reclassify the cases
    that came with its text; the number of cases reclassified."""
    codes = {code for (code,) in conn.execute(CODES)}
    catalogue = read_catalogue(conn)
    for line, raw, code in pairs:
        if not normal(raw):
            raise UserError(f"{_at(line)}an empty text cannot be mapped")
        if normal(code) not in codes:
            raise UserError(f"{_at(line)}no category with the code {normal(code)!r} (python -m geo categories list)")
        known = catalogue.categories.get(lookup_key(raw))
        if known:
            raise UserError(f"{_at(line)}{normal(raw)!r} already names the category {known!r} in the catalogue: "
                            "change it in the catalogue file (python -m geo import FILE --layer categories)")  # fmt: skip
    moved = 0
    for _, raw, code in pairs:
        params = {"raw": normal(raw), "code": normal(code), "author": author}
        conn.execute(load_query("categories/remember_mapping"), params)
        moved += conn.execute(load_query("categories/reclassify"), params).rowcount
    return moved


def _at(line: int | None) -> str:
    return f"line {line}: " if line else ""


def read_pairs(path: str) -> list[tuple[int, str, str]]:
    """(line, raw, code) per row of a CSV (UTF-8 or GBK); a first row of column names is skipped."""
    source = Path(path)
    if not source.is_file():
        raise UserError(f"{path}: no such file")
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            rows = list(csv.reader(source.read_text(encoding=encoding).splitlines()))
            break
        except UnicodeDecodeError:
            continue
    else:
        raise UserError(f"{path}: neither UTF-8 nor GBK text")
    pairs = []
    for number, row in enumerate(rows, start=1):
        cells = [normal(cell) for cell in row]
        if not any(cells) or (number == 1 and cells and lookup_key(cells[0]) in HEADER_WORDS):
            continue
        if len(cells) != 2:
            raise UserError(f"{path}: line {number}: {len(cells)} fields where raw,code are two")
        pairs.append((number, *cells))
    if not pairs:
        raise UserError(f"{path}: no raw,code rows")
    return pairs
