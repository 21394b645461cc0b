"""Which column of a file is which field: by the Chinese and English names clerks use.

`--map SRC=DST` covers any other name. A missing required field refuses the file with one
line naming the field and the names looked for.
"""

from collections.abc import Callable
from dataclasses import dataclass

from geo.errors import UserError
from geo.imports.values import parse_text

DBF_NAME_BYTES = 10


@dataclass(frozen=True)
class Field:
    """A field of a layer: its name, whether a file must have it, and the column names that mean it."""

    name: str
    required: bool
    aliases: tuple[str, ...]
    help: str
    parse: Callable = parse_text  # a non-empty cell → (value, None) or (None, reason)

    @property
    def names(self) -> tuple[str, ...]:
        """The aliases and the field's own name, then each as a Shapefile cuts it: a DBF column
        name holds 10 bytes (网格编码 in UTF-8 arrives as 网格编, 上级网格编码 in GBK as 上级网格编)."""
        names = (*self.aliases, self.name)
        return tuple(dict.fromkeys((*names, *(cut for name in names for cut in _cut(name)))))


ADDRESS = Field(
    "address",
    False,
    ("地址", "详细地址", "事发地址", "事件地址", "标准地址", "address", "addr", "location"),
    "address text",
)
LON = Field("lon", False, ("经度", "lon", "lng", "long", "longitude", "x"), "longitude")
LAT = Field("lat", False, ("纬度", "lat", "latitude", "y"), "latitude")
CRS = Field("crs", False, ("坐标系", "crs", "coordinate_system", "srs"), "wgs84|cgcs2000|gcj02|bd09|EPSG:N per row")
GEOMETRY = Field(
    "geometry",
    False,
    ("几何", "图形", "边界", "范围", "空间信息", "wkt", "geometry", "geom", "the_geom", "shape"),
    "WKT text in a CSV or XLSX column (spatial files carry their own geometry)",
)


def _cut(name: str) -> tuple[str, str]:
    return tuple(
        name.encode(encoding)[:DBF_NAME_BYTES].decode(encoding, errors="ignore") for encoding in ("utf-8", "gb18030")
    )


def match_columns(columns: list[str], fields: list[Field], mapping: dict[str, str] | None = None) -> dict:
    """Field name → the file's column (None when absent); UserError for a missing required one.

    `mapping` (from --map SRC=DST) names a column for a field explicitly.
    """
    mapping = mapping or {}
    by_lower = {str(c).strip().lower(): c for c in columns}
    unknown = {source for source in mapping if source.strip().lower() not in by_lower}
    if unknown:
        raise UserError(f"--map names columns the file does not have: {', '.join(sorted(unknown))}")
    targets = {field.name for field in fields}
    if set(mapping.values()) - targets:
        wrong = ", ".join(sorted(set(mapping.values()) - targets))
        raise UserError(f"--map names fields this layer does not have: {wrong} (it has {', '.join(sorted(targets))})")
    explicit = {target: by_lower[source.strip().lower()] for source, target in mapping.items()}
    found = {}
    for field in fields:
        found[field.name] = explicit.get(field.name) or next(
            (by_lower[a.lower()] for a in field.names if a.lower() in by_lower), None
        )
        if field.required and found[field.name] is None:
            raise UserError(
                f"missing column {field.name}: looked for {' / '.join(field.aliases)} (or pass --map COLUMN={field.name})"
            )
    return found


def parse_mapping(pairs: list[str] | None) -> dict[str, str]:
    """['事件名称=summary', …] → {'事件名称': 'summary', …}."""
    mapping = {}
    for pair in pairs or []:
        source, sep, target = pair.partition("=")
        if not sep or not source.strip() or not target.strip():
            raise UserError(f"--map wants SRC=DST, got {pair!r}")
        mapping[source.strip()] = target.strip()
    return mapping
