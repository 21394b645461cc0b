"""Tables from GeoJSON, GeoPackage and Shapefile (.shp or .zip), read with pyogrio (GDAL).

Each feature is a row numbered from 1 (its "line" in the report) with its attributes as
cells and its geometry; a geometry GDAL reads but GEOS cannot build (a ring that is not
closed) becomes the row's problem, so one bad feature never refuses the file. Shapefile
text without a .cpg is decoded as UTF-8 when it is valid UTF-8, else as GBK: never shown as
mojibake. Dates come as ISO text and go through the same parser as CSV cells.
"""

import warnings
import zipfile
from pathlib import Path

import numpy as np
import pyogrio
import shapely

from geo.errors import UserError
from geo.imports.geometry import geometry_problem

SPATIAL_SUFFIXES = (".geojson", ".json", ".gpkg", ".shp", ".zip")
GBK = "gb18030"  # GBK and its superset
BYTES = "latin1"  # one character per byte: text read as bytes, decoded here


def read_spatial(path: Path, encoding: str | None, layer_name: str | None, repair: bool):
    """(attribute cells by column, geometries, per-row problems, per-row repairs, the file's
    CRS or None)."""
    dataset, parts = _dataset(path, layer_name)
    layer = _layer(dataset, path, layer_name)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # GDAL's notes on unclosed rings: reported per row below
            meta, wkb, columns = _read(dataset, layer, _encoding(dataset, parts, layer, encoding))
    except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError, pyogrio.errors.FeatureError) as error:
        raise UserError(f"{path}: not a readable {path.suffix} file, truncated or damaged? ({error})") from error
    except UserError as error:  # the text is not in the encoding: name the file
        raise UserError(f"{path}: {error}") from error
    geometries, problems, repaired = _geometries(wkb, repair)
    cells = {str(name): [_cell(value) for value in values] for name, values in zip(meta["fields"], columns)}
    return cells, geometries, problems, repaired, meta["crs"]


def _read(dataset: str, layer, encoding: str | None):
    """Read with `encoding` (None: GDAL's choice); text GDAL cannot hand over as valid text
    (a UTF-8 column name cut at the DBF's 10 bytes, mid-character) is read byte for byte and
    decoded here, the broken character dropped."""
    options = {"layer": layer, "datetime_as_string": True, **_open_options(dataset)}
    try:
        meta, _, wkb, columns = pyogrio.raw.read(dataset, encoding=encoding, **options)
        return meta, wkb, columns
    except UnicodeDecodeError:
        meta, _, wkb, columns = pyogrio.raw.read(dataset, encoding=BYTES, **options)
    real = encoding or "utf-8"
    try:
        meta["fields"] = [_decoded(name, real) for name in meta["fields"]]
        return meta, wkb, [[_decoded(v, real) if isinstance(v, str) else v for v in values] for values in columns]
    except UnicodeDecodeError as error:
        raise UserError(f"the text is not {real} ({error.reason}): pass --encoding gbk or utf-8") from error


def _decoded(text: str, encoding: str) -> str:
    """Text read byte for byte, decoded. A DBF cuts names at 10 bytes and values at their
    width, possibly mid-character: that last, incomplete character is dropped; any other
    bad byte is an error (the wrong encoding), never silently skipped."""
    raw = text.encode(BYTES)
    try:
        return raw.decode(encoding)
    except UnicodeDecodeError as error:
        if error.reason not in ("unexpected end of data", "incomplete multibyte sequence"):
            raise
        return raw[: error.start].decode(encoding)


def _open_options(dataset: str) -> dict:
    """GeoJSON: keep date-like text as text; GDAL would parse it to milliseconds and lose the
    microseconds, and our parser reads it exactly."""
    return {"DATE_AS_STRING": "YES"} if dataset.lower().endswith((".geojson", ".json")) else {}


def _dataset(path: Path, layer_name: str | None) -> tuple[str, dict | None]:
    """The GDAL path of the dataset, and for a Shapefile the head and size of each of its
    files (suffix → (first 32 bytes, size)): it needs its .dbf, whole; a .zip is opened inside."""
    if path.suffix.lower() == ".shp":
        files = {p.suffix.lower(): p for p in path.parent.iterdir() if p.stem == path.stem}
        return str(path), _whole_shapefile(path, {suffix: (_head(p.open("rb")), p.stat().st_size)
                                                  for suffix, p in files.items()})  # fmt: skip
    if path.suffix.lower() != ".zip":
        return str(path), None
    try:
        archive = zipfile.ZipFile(path)
    except zipfile.BadZipFile as error:
        raise UserError(f"{path}: not a readable ZIP archive") from error
    with archive:
        names = archive.namelist()
        inside = [n for n in names if n.lower().endswith((".shp", ".gpkg", ".geojson")) and not _mac_extra(n)]
        if layer_name:
            inside = [n for n in inside if Path(n).stem == layer_name] or inside
        if len(inside) != 1:
            found = ", ".join(inside) or "none"
            raise UserError(f"{path}: the archive should hold one .shp, .gpkg or .geojson (found: {found}); "
                            "pick one with --layer-name")  # fmt: skip
        dataset, parts = f"/vsizip/{path.resolve()}/{inside[0]}", None
        if inside[0].lower().endswith(".shp"):
            stem = inside[0][:-4].lower()
            members = [m for m in archive.infolist() if m.filename.lower()[:-4] == stem]
            parts = _whole_shapefile(path, {m.filename[-4:].lower(): (_head(archive.open(m)), m.file_size)
                                            for m in members})  # fmt: skip
    return dataset, parts


def _head(handle) -> bytes:
    """The first 32 bytes of a file (its header, for a .shp or .dbf)."""
    with handle:
        return handle.read(32)


def _whole_shapefile(path: Path, parts: dict) -> dict:
    """`parts`, once the Shapefile is known to have its .dbf and no file cut short."""
    if ".dbf" not in parts:
        raise UserError(f"{path}: the Shapefile's attribute file {path.stem}.dbf is missing (a Shapefile is "
                        ".shp, .shx and .dbf together; send all three, or a .zip of them)")  # fmt: skip
    _require_whole(path, parts)
    return parts


def _require_whole(path: Path, parts: dict) -> None:
    """Refuse a Shapefile whose .shp or .dbf is shorter than its header says (a cut copy):
    GDAL would read the missing features as empty. `parts`: suffix → (first 32 bytes, size)."""
    head, size = parts[".shp"]
    declared = int.from_bytes(head[24:28], "big") * 2 if len(head) >= 28 else 0  # in 16-bit words
    if len(head) < 28 or size < declared:
        raise UserError(f"{path}: the .shp is cut short ({size:,} of {declared:,} bytes): send the whole file")
    head, size = parts[".dbf"]
    if len(head) >= 12:
        records, header, record = (int.from_bytes(head[4:8], "little"), int.from_bytes(head[8:10], "little"),
                                   int.from_bytes(head[10:12], "little"))  # fmt: skip
        if size < header + records * record:
            raise UserError(f"{path}: the .dbf is cut short ({size:,} of {header + records * record:,} bytes): "
                            "send the whole file")  # fmt: skip


def _mac_extra(name: str) -> bool:
    """macOS archives carry resource forks (__MACOSX/._x.shp): not data."""
    return name.startswith("__MACOSX/") or Path(name).name.startswith("._")


def _layer(dataset: str, path: Path, layer_name: str | None) -> str | int:
    try:
        layers = [str(name) for name, _ in pyogrio.list_layers(dataset)]
    except pyogrio.errors.DataSourceError as error:
        raise UserError(f"{path}: not a readable {path.suffix} file ({error})") from error
    if layer_name:
        if layer_name not in layers:
            raise UserError(f"{path}: no layer {layer_name!r}; it has {', '.join(layers)}")
        return layer_name
    if len(layers) > 1:
        raise UserError(f"{path}: it holds {len(layers)} layers ({', '.join(layers)}): pick one with --layer-name")
    if not layers:
        raise UserError(f"{path}: the file is empty (no layer)")
    return 0


def _encoding(dataset: str, parts: dict | None, layer, encoding: str | None) -> str | None:
    """The text encoding to read with: given, else GDAL's own when it knows (a .cpg, a DBF
    code page, or the format's rule), else UTF-8 when the attribute values are UTF-8, else GBK.
    `parts`: a Shapefile's files (from _dataset), None for other formats."""
    if encoding:
        return {"gbk": GBK}.get(encoding.lower(), encoding)
    if parts is None or ".cpg" in parts or _dbf_code_page(parts[".dbf"][0]):
        return None
    meta, _, _, columns = pyogrio.raw.read(dataset, layer=layer, encoding=BYTES, read_geometry=False)
    texts = [*meta["fields"], *(v for values in columns for v in values if isinstance(v, str))]
    try:
        for text in texts:
            _decoded(text, "utf-8")
    except UnicodeDecodeError:
        return GBK
    return "utf-8"


def _dbf_code_page(header: bytes) -> bool:
    """Byte 29 of a DBF header is its language driver id (0: not given)."""
    return len(header) > 29 and header[29] != 0


def _geometries(wkb, repair: bool) -> tuple[np.ndarray, list, list]:
    """Shapely geometries from GDAL's WKB; per row why one could not be built, or (with
    `repair`) what was done to build it."""
    geometries, problems, repaired = np.full(len(wkb), None, dtype=object), [None] * len(wkb), [None] * len(wkb)
    for i, blob in enumerate(wkb):
        if blob is None:
            continue
        try:
            geometries[i] = shapely.from_wkb(blob)
        except shapely.errors.GEOSException as error:
            problems[i] = geometry_problem(str(error), "WKB")
            if repair:
                geometries[i] = shapely.from_wkb(blob, on_invalid="fix")
                problems[i], repaired[i] = None, "ring closed"
    return geometries, problems, repaired


def _cell(value):
    """A cell as the checks expect it: missing as '', integral floats as ints (GDAL gives
    integer columns with gaps as floats), everything else as it is."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return ""
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return int(value)
    return value
