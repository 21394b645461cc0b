"""Tables from CSV, XLSX and spatial files, every row kept with its line number.

CSV: UTF-8 (with or without BOM), GBK, or UTF-16 with its mark (Excel's "Unicode text");
comma, tab, semicolon or bar between fields (from the header line); CRLF or LF; quoted
fields with commas and newlines (Python's csv module). A row with more or fewer fields than the header is kept, its fields
as far as they go, with the reason, so that no row is lost. XLSX: openpyxl through pandas;
date cells arrive as datetimes, never as Excel serial numbers. GeoJSON, GeoPackage and
Shapefile: geo.imports.spatial, each feature a row with its geometry.
"""

import codecs
import csv
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa

from geo.errors import UserError
from geo.imports import csv_columns
from geo.imports.spatial import SPATIAL_SUFFIXES, read_spatial

CHUNK_ROWS = 50_000  # rows checked and written at a time: memory stays flat as files grow
ENCODINGS = ("utf-8-sig", "gb18030")
UTF16_MARKS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
DELIMITERS = (",", "\t", ";", "|")  # UTF-8 (with or without BOM), else GBK and its superset
csv.field_size_limit(1 << 30)  # a 100 KB description is a cell like any other


@dataclass
class Table:
    """Cells as read (text for CSV; text, numbers or datetimes for XLSX and spatial files),
    the file line (or feature number) of each row, and per row the reason it is malformed
    (None when fine). Spatial files add each row's geometry, what reading repaired, and the
    file's CRS."""

    frame: pd.DataFrame
    lines: list[int]
    problems: list[str | None]
    geometry: np.ndarray | None = None
    repaired: list[str | None] | None = None
    crs: str | None = None
    text: bool = False  # every cell is text (a CSV's)


def read_table(
    path: str, encoding: str | None = None, sheet: str | None = None, layer_name: str | None = None, repair=False
) -> Table:
    """Read a whole CSV, XLSX or spatial file; UserError when the file as a whole cannot be used."""
    chunks = list(read_chunks(path, encoding, sheet, layer_name, repair, rows=None))
    return chunks[0]


def read_chunks(path: str, encoding=None, sheet=None, layer_name=None, repair=False, rows: int | None = CHUNK_ROWS):
    """The file as Tables of at most `rows` rows (None: one Table). A CSV is read as a stream,
    so memory does not grow with the file; other formats come whole. The first Table may be
    empty (a header and no rows); UserError when the file as a whole cannot be used."""
    source = Path(path)
    if not source.is_file():
        raise UserError(f"{path}: no such file")
    if source.stat().st_size == 0:
        raise UserError(f"{path}: the file is empty")
    suffix = source.suffix.lower()
    if suffix == ".xls":
        raise UserError(f"{path}: an old Excel .xls workbook: save it as .xlsx or CSV and import that")
    if suffix in (".xlsx", ".xlsm"):
        return iter([_read_xlsx(source, sheet)])
    if suffix in SPATIAL_SUFFIXES:
        return iter([_read_spatial(source, encoding, layer_name, repair)])
    return _read_csv(source, _encoding(source, encoding), rows)


def _read_spatial(path: Path, encoding: str | None, layer_name: str | None, repair: bool) -> Table:
    cells, geometry, problems, repaired, crs = read_spatial(path, encoding, layer_name, repair)
    header = _header(path, list(cells), allow_empty=True)
    frame = pd.DataFrame(dict(zip(header, cells.values())), dtype=object, index=range(len(geometry)))
    return Table(frame, list(range(1, len(frame) + 1)), problems, geometry, repaired, crs)


def _read_csv(path: Path, encoding: str, rows: int | None):
    """The file's Tables: read in columns by Arrow (geo.imports.csv_columns) when Arrow reads
    it as Python's csv module would, else by the csv module; also from where Arrow gives up
    (a record longer than its block)."""
    delimiter, done = _delimiter(path, encoding), 0
    if not csv_columns.readable(path, encoding, delimiter):
        yield from _read_csv_rows(path, encoding, rows)
        return
    try:
        for table in csv_columns.read_columns(path, encoding, delimiter, rows or sys.maxsize, _header_of(path), _table):
            yield table
            done += len(table.lines)
    except pa.ArrowInvalid:
        for table in _read_csv_rows(path, encoding, rows):
            if done <= 0:
                yield table
            done -= len(table.lines)


def _header_of(path: Path):
    return lambda cells: _header(path, cells)


def _table(frame: pd.DataFrame, lines: list[int], problems: list) -> Table:
    return Table(frame, lines, problems, text=True)


def _read_csv_rows(path: Path, encoding: str, rows: int | None):
    with path.open(encoding=encoding, newline="") as handle:
        reader = csv.reader(handle, delimiter=_delimiter(path, encoding), strict=True)
        header = _header(path, next(reader, None))
        chunk, lines, problems, yielded = [], [], [], False
        ended = reader.line_num  # a row starts on the line after the previous one ended
        for fields in _rows(reader, path):
            started, ended = ended + 1, reader.line_num
            if not any(cell.strip() for cell in fields):
                continue  # blank lines are not rows
            lines.append(started)
            problems.append(None if len(fields) == len(header) else _width_problem(len(fields), len(header)))
            chunk.append((fields + [""] * len(header))[: len(header)])
            if rows and len(chunk) == rows:
                yield Table(pd.DataFrame(chunk, columns=header, dtype=object), lines, problems, text=True)
                chunk, lines, problems, yielded = [], [], [], True
        if chunk or not yielded:
            yield Table(pd.DataFrame(chunk, columns=header, dtype=object), lines, problems, text=True)


def _read_xlsx(path: Path, sheet: str | None) -> Table:
    try:
        frame = pd.read_excel(path, sheet_name=sheet or 0, dtype=object, header=0, engine="openpyxl")
    except ValueError as error:  # an unknown sheet name
        raise UserError(f"{path}: {error}") from error
    except Exception as error:  # openpyxl's many ways of saying 'not a workbook'
        raise UserError(f"{path}: not a readable XLSX workbook ({type(error).__name__})") from error
    header = _header(path, [str(c) for c in frame.columns])
    frame.columns = header
    frame = frame.astype(object).where(frame.notna(), "")
    keep = [i for i, row in enumerate(frame.itertuples(index=False)) if any(str(v).strip() for v in row)]
    frame = frame.iloc[keep].reset_index(drop=True)
    return Table(frame, [i + 2 for i in keep], [None] * len(frame))


def _header(path: Path, header: list | None, allow_empty: bool = False) -> list[str]:
    """The column names, stripped; a repeated name gets a suffix (地址, 地址 (2)) so that no
    column hides another."""
    if not allow_empty and (not header or not any(str(cell).strip() for cell in header)):
        raise UserError(f"{path}: the file is empty")
    names: list[str] = []
    for cell in header:
        name, count = str(cell).strip(), 2
        while name in names:
            name, count = f"{str(cell).strip()} ({count})", count + 1
        names.append(name)
    return names


def _rows(reader, path: Path):
    """The reader's rows; quoting that does not close (a stray " swallowing the rows after
    it, or a file cut inside a quoted field) refuses the file: its rows cannot be told apart."""
    try:
        yield from reader
    except csv.Error as error:
        raise UserError(f'{path}: line {reader.line_num}: {error} (a stray quote ", or a cut file?)') from error


def _delimiter(path: Path, encoding: str) -> str:
    """The separator of the header line: a comma, or the tab of Excel's "Unicode text" (and
    of .tsv files), or a semicolon or bar, whichever the header holds most of."""
    with path.open(encoding=encoding, newline="") as handle:
        header = handle.readline()
    return max(DELIMITERS, key=header.count) if any(d in header for d in DELIMITERS) else ","


def _encoding(path: Path, encoding: str | None) -> str:
    """The encoding the whole file decodes with: the one given, else UTF-8 (with or without
    BOM), else GBK. Checked in a streaming pass before any row is read, so a GBK character on
    the last line cannot surface after half the file was written."""
    names = (
        [{"gbk": "gb18030", "utf-8": "utf-8-sig", "utf8": "utf-8-sig"}.get(encoding.lower(), encoding)]
        if encoding
        else ENCODINGS
    )
    with path.open("rb") as handle:
        if not encoding and handle.read(2) in UTF16_MARKS:  # Excel's "Unicode text" is UTF-16
            names = ["utf-16"]
    for name in names:
        if _decodes(path, name):
            return name
    raise UserError(f"{path}: " + (f"not {encoding} text" if encoding else "neither UTF-8 nor GBK text"))


def _decodes(path: Path, encoding: str) -> bool:
    try:
        decoder = codecs.getincrementaldecoder(encoding)()
    except LookupError:
        raise UserError(f"unknown encoding {encoding!r}") from None
    with path.open("rb") as handle:
        try:
            while block := handle.read(1 << 20):
                decoder.decode(block)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return False
    return True


def _width_problem(fields: int, header: int) -> str:
    return f"{fields} fields where the header has {header} (an unquoted comma?)"
