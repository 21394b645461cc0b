"""The risk configuration (weights.toml): read, checked, and handed out as one frozen object."""

import tomllib
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from geo.errors import UserError
from geo.settings import get_settings

DEFAULT_PATH = Path(__file__).with_name("weights.toml")
COMPONENTS = ("case_intensity", "overdue", "open", "repeat", "escalation", "key_population")
LEVELS = ("blue", "yellow", "orange", "red")
# The key-population load's bands (ratio edges) and the level each band enters the score as;
# a configuration stored with an older run has none, and gets these.
DEFAULT_BANDS = ((0.5, 1.5, 3.0), (0.25, 1.0, 2.0, 4.0))


@dataclass(frozen=True)
class Component:
    name: str
    weight: float
    label_zh: str
    label_en: str


@dataclass(frozen=True)
class RiskConfig:
    half_life_days: float
    window_days: int
    repeat_window_days: int
    trend_month_days: int
    minimum_households: float
    components: tuple[Component, ...]
    severity: dict[str, float]
    escalation: dict[str, float]
    key_person_kind: dict[str, float]
    key_person_care: dict[str, float]
    key_population_bands: tuple[tuple[float, ...], tuple[float, ...]]  # (edges, levels)
    thresholds: dict[str, float]  # yellow, orange, red: lowest score of each level
    interval: float
    false_discovery_rate: float
    emerging_weeks: int
    trend_significance: float
    source: dict  # the file as read, stored with every run

    def component(self, name: str) -> Component:
        return self._by_name[name]

    @cached_property
    def _by_name(self) -> dict[str, Component]:
        return {c.name: c for c in self.components}


def load_config(path: Path | None = None) -> RiskConfig:
    """Read and check the risk configuration; a mistake is one clear UserError."""
    path = Path(path or get_settings().risk_config or DEFAULT_PATH)
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise UserError(f"risk configuration {path}: {error.strerror}") from error
    except tomllib.TOMLDecodeError as error:
        raise UserError(f"risk configuration {path}: {error}") from error
    return parse_config(raw, str(path))


def parse_config(raw: dict, origin: str) -> RiskConfig:
    """Check a configuration as read from TOML (or as stored with a run)."""
    try:
        return _build(raw)
    except (KeyError, TypeError, ValueError) as error:
        reason = f"missing {error}" if isinstance(error, KeyError) else str(error)
        raise UserError(f"risk configuration {origin}: {reason}") from error


def _build(raw: dict) -> RiskConfig:
    time, stats, levels = raw["time"], raw["statistics"], raw["levels"]
    unknown = set(raw["components"]) - set(COMPONENTS)
    if unknown:
        raise ValueError(f"unknown component {', '.join(sorted(unknown))}; known: {', '.join(COMPONENTS)}")
    components = tuple(_component(name, raw["components"][name]) for name in COMPONENTS)
    if sum(c.weight for c in components) <= 0:
        raise ValueError("the component weights add up to 0")
    thresholds = {level: _number(levels, level, 0, 100) for level in LEVELS[1:]}
    if not thresholds["yellow"] < thresholds["orange"] < thresholds["red"]:
        raise ValueError("levels must rise: yellow < orange < red")
    return RiskConfig(
        half_life_days=_number(time, "half_life_days", 1, 3650),
        window_days=int(_number(time, "window_days", 7, 3650)),
        repeat_window_days=int(_number(time, "repeat_window_days", 1, 3650)),
        trend_month_days=int(_number(time, "trend_month_days", 7, 366)),
        minimum_households=_number(raw["exposure"], "minimum_households", 1, 100_000),
        components=components,
        severity=_weights(raw["severity"], required=("default",)),
        escalation=_weights(raw["escalation"], required=("community", "township", "county_city")),
        key_person_kind=_weights(raw["key_population"]["kind"], required=("supervision", "care")),
        key_person_care=_weights(raw["key_population"]["care_level"], required=("high", "medium", "low")),
        key_population_bands=_bands(raw["key_population"].get("bands")),
        thresholds=thresholds,
        interval=_number(stats, "interval", 0.5, 0.999),
        false_discovery_rate=_number(stats, "false_discovery_rate", 0.0001, 0.5),
        emerging_weeks=int(_number(stats, "emerging_weeks", 4, 104)),
        trend_significance=_number(stats, "trend_significance", 0.0001, 0.5),
        source=raw,
    )


def _component(name: str, table: dict) -> Component:
    return Component(name, _number(table, "weight", 0, 100), str(table["label_zh"]), str(table["label_en"]))


def _bands(table: dict | None) -> tuple[tuple[float, ...], tuple[float, ...]]:
    """(edges, levels): rising edges, one level more than edges, rising too, all >= 0."""
    if table is None:
        return DEFAULT_BANDS
    edges, levels = table["edges"], table["levels"]
    if not isinstance(edges, list) or not isinstance(levels, list) or len(levels) != len(edges) + 1 or not edges:
        raise ValueError("key_population.bands: give edges and one level more than edges")
    edges = [_number({"edge": e}, "edge", 0, 100) for e in edges]
    levels = [_number({"level": v}, "level", 0, 100) for v in levels]
    if any(a >= b for a, b in zip(edges, edges[1:])) or any(a >= b for a, b in zip(levels, levels[1:])):
        raise ValueError("key_population.bands: edges and levels must rise")
    return tuple(edges), tuple(levels)


def _weights(table: dict, required: tuple[str, ...]) -> dict[str, float]:
    missing = [key for key in required if key not in table]
    if missing:
        raise KeyError(", ".join(missing))
    return {key: _number(table, key, 0, 100) for key in table}


def _number(table: dict, key: str, low: float, high: float) -> float:
    value = table[key]
    if isinstance(value, bool) or not isinstance(value, int | float) or not low <= value <= high:
        raise ValueError(f"{key} = {value!r}: expected a number from {low} to {high}")
    return float(value)
