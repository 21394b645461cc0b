"""A CSV read in columns by Arrow: the same Tables as Python's csv reader gives (the same rows,
lines, cells and width problems), at a tenth of its cost.

Arrow and Python's reader agree on every file Python's strict reader accepts; they differ on
quoting Python refuses (a closing quote followed by text, as in `"楼上"漏水`, or a quote left
open at the end). A file holding a quote followed by anything but a separator, another quote
or a line end is therefore read by Python's reader (geo.imports.tables), as is UTF-16 text.

Lines: Arrow numbers its records (the header is 1) and hands over the ones of the wrong width
(`invalid_row_handler`); a record's first line is its number plus the line breaks inside the
quoted cells of the records before it. Blank rows (every cell whitespace, as Python's
str.isspace() says) are skipped, as Python's reader skips them.
"""

import codecs
import csv
import io
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv

BLOCK_BYTES = 8 << 20
ARROW_ENCODINGS = {"utf-8-sig": "utf8", "utf-8": "utf8", "gb18030": "gb18030"}
# Every character Python's str.strip() removes, as one character class (for Arrow's RE2).
_SPACES = "".join(chr(c) for c in range(sys.maxunicode + 1) if chr(c).isspace())
BLANK = "^[" + "".join(f"\\x{{{ord(c):x}}}" for c in _SPACES) + "]*$"


def readable(path: Path, encoding: str, delimiter: str) -> bool:
    """Whether Arrow reads this file as Python's reader would: UTF-8 or GBK text whose quoted
    fields all close, each followed by a separator or a line end (else Python's strict reader
    refuses the file, and Arrow would not say). Checked on the bytes, quote by quote: in both
    encodings a quote, a line end and a separator other than | are single bytes that no
    character contains."""
    if encoding not in ARROW_ENCODINGS or (encoding == "gb18030" and delimiter == "|"):
        return False
    scan = _QuoteScan(delimiter.encode())
    with path.open("rb") as handle:
        carry = handle.read(3).removeprefix(codecs.BOM_UTF8) if encoding == "utf-8-sig" else b""
        while True:
            block = handle.read(BLOCK_BYTES)
            data = carry + block
            end = len(data) - 1 if block else len(data)  # the last byte waits to be seen with the next block
            if not scan.agrees(data, end):
                return False
            if not block:
                return scan.closed
            carry = data[end:]


class _QuoteScan:
    """Python's csv states, followed from quote to quote: outside a quoted field a quote at a
    field's start opens one (elsewhere it is a letter); inside, a doubled quote is a quote and
    a single one closes the field, and must be followed by a separator or a line end."""

    def __init__(self, delimiter: bytes):
        self.starts = (b"\r", b"\n", delimiter)
        self.closed, self.previous, self.skip = True, b"\n", -1

    def agrees(self, data: bytes, end: int) -> bool:
        """Follow the quotes of data[:end] (data[end:] is what comes after, unseen yet)."""
        for position in _quote_positions(data, end):
            if position == self.skip:
                continue
            if not self.closed:
                after = data[position + 1 : position + 2]
                if after == b'"':
                    self.skip = position + 1
                elif after and after not in self.starts:
                    return False
                else:
                    self.closed = True
            elif (data[position - 1 : position] if position else self.previous) in self.starts:
                self.closed = False
        self.previous, self.skip = (data[end - 1 : end] if end else self.previous), self.skip - end
        return True


def _quote_positions(data: bytes, end: int):
    position = data.find(b'"', 0, end)
    while position >= 0:
        yield position
        position = data.find(b'"', position + 1, end)


def read_columns(path: Path, encoding: str, delimiter: str, rows: int, header_of, table_of):
    """The file as Tables of `rows` non-blank rows; `header_of(cells)` makes the column names
    (geo.imports.tables._header), `table_of(frame, lines, problems)` the Table."""
    width = _width(path, encoding, delimiter)
    invalid: list[tuple[int, str]] = []
    reader = _reader(path, encoding, delimiter, width, invalid)
    state = _State(width, delimiter)
    header, pending, yielded = None, [], False
    for batch in reader:
        cells = [batch.column(i) for i in range(width)]
        if header is None and len(cells[0]):
            first = [column[0].as_py() for column in cells]
            header, state.numbers_from, state.breaks = header_of(first), 2, _breaks_of_row(first)
            cells = [column.slice(1) for column in cells]
        pending.append(state.rows(cells, invalid, final=False))
        while _count(pending) >= rows:
            chunk, pending = _take(pending, rows)
            yield table_of(_frame(header, chunk[0]), chunk[1], chunk[2])
            yielded = True
    if header is None:
        header = header_of([])
    pending.append(state.rows([pa.array([], pa.string())] * width, invalid, final=True))
    while _count(pending) or not yielded:
        chunk, pending = _take(pending, rows)
        yield table_of(_frame(header, chunk[0]), chunk[1], chunk[2])
        yielded = True


def _count(pending: list) -> int:
    return sum(len(piece[1]) for piece in pending)


def _width(path: Path, encoding: str, delimiter: str) -> int:
    """The number of fields of the header record (Python's reader, for its first record)."""
    with path.open(encoding=encoding, newline="") as handle:
        return max(len(next(csv.reader(handle, delimiter=delimiter), None) or []), 1)


def _reader(path: Path, encoding: str, delimiter: str, width: int, invalid: list):
    def handler(row) -> str:
        invalid.append((row.number, row.text))
        return "skip"

    names = [f"f{i}" for i in range(width)]
    return pa_csv.open_csv(
        path,
        read_options=pa_csv.ReadOptions(
            use_threads=False, block_size=BLOCK_BYTES, column_names=names, encoding=ARROW_ENCODINGS[encoding]
        ),
        parse_options=pa_csv.ParseOptions(
            delimiter=delimiter, newlines_in_values=True, ignore_empty_lines=False, invalid_row_handler=handler
        ),
        convert_options=pa_csv.ConvertOptions(
            column_types=dict.fromkeys(names, pa.string()), strings_can_be_null=False, quoted_strings_can_be_null=False
        ),
    )


class _State:
    """Record numbers and line breaks carried from batch to batch."""

    def __init__(self, width: int, delimiter: str):
        self.width, self.delimiter, self.numbers_from, self.breaks = width, delimiter, 1, 0

    def rows(self, cells: list, invalid: list, final: bool):
        """(the batch's non-blank rows as Arrow columns, their lines, their problems)."""
        count = len(cells[0])
        seen = sorted(n for n, _ in invalid)
        numbers = _numbers(self.numbers_from, count, seen)
        last = numbers[-1] if count else self.numbers_from - 1
        mine = [(n, text) for n, text in invalid if final or n < last]
        invalid[:] = [(n, text) for n, text in invalid if not (final or n < last)]
        if any("\n" in text or "\r" in text for _, text in mine):
            raise pa.ArrowInvalid("a record of the wrong width spans lines: Arrow's text of it may differ")
        fields = [_fields(text, self.width, self.delimiter) for _, text in mine]
        all_numbers = np.concatenate([numbers, np.array([n for n, _ in mine], dtype=np.int64)])
        breaks = np.concatenate([_breaks(cells, count), np.array([_breaks_of_text(t) for _, t in mine], np.int64)])
        order = np.argsort(all_numbers, kind="stable")
        lines = np.empty(len(order), np.int64)
        cumulative = np.cumsum(breaks[order])
        lines[order] = all_numbers[order] + self.breaks + cumulative - breaks[order]
        self.breaks += int(breaks.sum())
        self.numbers_from = int(max(last, max((n for n, _ in mine), default=0))) + 1
        blank = _blank(cells, count)
        keep = [cells_i.filter(pa.array(~blank)) for cells_i in cells]
        extra = [i for i, row in enumerate(fields) if row[2]]
        columns = [pa.concat_arrays([keep[j], pa.array([fields[i][0][j] for i in extra], pa.string())])
                   for j in range(self.width)]  # fmt: skip
        row_lines = np.concatenate([lines[:count][~blank], lines[count:][extra]])
        problems = [None] * int((~blank).sum()) + [fields[i][1] for i in extra]
        order = np.argsort(row_lines, kind="stable")
        return [c.take(pa.array(order)) for c in columns], row_lines[order].tolist(), [problems[i] for i in order]


def _numbers(start: int, count: int, invalid: list[int]) -> np.ndarray:
    """The record numbers of `count` rows from `start` on, skipping those Arrow handed over."""
    skip = np.array([n for n in invalid if n >= start], dtype=np.int64)
    candidates = np.arange(start, start + count + len(skip), dtype=np.int64)
    return np.setdiff1d(candidates, skip, assume_unique=True)[:count]


def _fields(text: str, width: int, delimiter: str) -> tuple[list[str], str | None, bool]:
    """A record Arrow refused for its width, read by Python's reader: its fields padded or cut
    to the header's, the reason, and whether it is a row at all (not blank)."""
    from geo.imports.tables import _width_problem  # noqa: PLC0415 (the tables module imports this one)

    fields = next(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True), [])
    problem = None if len(fields) == width else _width_problem(len(fields), width)
    return (fields + [""] * width)[:width], problem, any(cell.strip() for cell in fields)


def _breaks(cells: list, count: int) -> np.ndarray:
    """Per row the line breaks inside its cells (CRLF, LF or CR each one)."""
    total = np.zeros(count, np.int64)
    for column in cells:
        for needle, sign in (("\n", 1), ("\r", 1), ("\r\n", -1)):
            total += sign * pc.count_substring(column, needle).to_numpy(zero_copy_only=False)
    return total


def _breaks_of_text(text: str) -> int:
    return text.count("\n") + text.count("\r") - text.count("\r\n")


def _breaks_of_row(cells: list[str]) -> int:
    return sum(_breaks_of_text(cell) for cell in cells)


def _blank(cells: list, count: int) -> np.ndarray:
    """Rows whose every cell is whitespace (as str.strip() sees it)."""
    blank = np.ones(count, bool)
    for column in cells:
        blank &= pc.match_substring_regex(column, BLANK).to_numpy(zero_copy_only=False)
    return blank


def _take(pending: list, rows: int):
    """The first `rows` rows of the pending pieces, and what is left."""
    columns = [pa.concat_arrays(list(parts)) for parts in zip(*(p[0] for p in pending))]
    lines = [line for p in pending for line in p[1]]
    problems = [problem for p in pending for problem in p[2]]
    head = ([c.slice(0, rows) for c in columns], lines[:rows], problems[:rows])
    rest = ([c.slice(rows) for c in columns], lines[rows:], problems[rows:])
    return head, [rest] if rest[1] else []


def _frame(header: list[str], columns: list) -> pd.DataFrame:
    """The cells as the checks expect them: Python text in object columns."""
    data = {name: column.to_numpy(zero_copy_only=False).astype(object) for name, column in zip(header, columns)}
    return pd.DataFrame(data, columns=header, dtype=object, index=range(len(columns[0]) if columns else 0))
