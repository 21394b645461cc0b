"""What an importable layer is: its fields, its kind of geometry, its rules, and its writer.

Each layer module (geo/imports/layers/) defines one `Layer`; `geo.imports.rows` checks a
file's rows against it and the layer's `write` puts the good rows in the database.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

import pandas as pd

from geo.imports.columns import Field

WARNING = "warning"  # a finished record may carry one under this key: loaded, and reported


@dataclass
class Checked:
    """Rows that passed (as table columns, with their file line) and those that did not
    (line, id, reason); warnings name rows that were changed on the way in."""

    rows: pd.DataFrame
    rejected: list[tuple[int, str, str]] = field(default_factory=list)
    warnings: list[tuple[int, str, str]] = field(default_factory=list)


@dataclass(frozen=True)
class Layer:
    """An importable layer.

    The checked rows of a file are staged (COPY, chunk by chunk) in the temporary table
    `table` with the columns and types of `staging` and a `line` column; `write(conn,
    context, origin)` writes them from there. `finish(record, context)` completes a row whose fields parsed (defaults, rules across
    fields) and returns (record, None) or (None, reason); the record may
    carry a note under WARNING (a code off the city's scheme), reported with its line. `write` returns inserted, updated and flags ({reason: count} of rows
    loaded but flagged); `origin` names the import (author and file) for
    versioned layers. `prepare(conn, table, columns)` reads what the checks need from the
    database (the context; None without it). `shape` is geo.imports.geometry's POLYGONS,
    FOOTPRINT or POINT, or None for a layer without geometry.
    """

    name: str
    title: str
    fields: list[Field]
    shape: str | None
    finish: Callable
    write: Callable
    prepare: Callable | None = None
    key: str = "code"
    staging: dict = field(default_factory=dict)
    whole_file: bool = False  # `prepare` needs every row at once (else the file is read in chunks)
    staged_key: str | None = None  # the staging column no two rows may share (default: key)
    check: Callable | None = None  # the layer's own check of a Table (default: geo.imports.rows.check_table)

    @property
    def table(self) -> str:
        return "import_" + self.name.replace("-", "_")

    def field(self, name: str) -> Field:
        return next(f for f in self.fields if f.name == name)
