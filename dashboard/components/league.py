"""The league table's pieces: the ranked rows with a small map each, the period and the sort
controls. Names come from the data and are passed as text; the small maps are SVG images made
here from numbers only (path data from PostGIS, colours from the level)."""

import math
from urllib.parse import quote

from dash import dcc, html

from dashboard.components.map_views import RISK_COLOURS
from dashboard.i18n import LEVEL, pick, text
from geo.map.league import PERIODS, SORT_KEYS

NO_LEVEL = "#d9dee4"
MAP_PX = (56, 40)  # a small map's width and height
# The columns after rank, map and name: (sort key, how a value is shown).
COLUMNS = (
    ("cases", lambda v: f"{v:,}"),
    ("rate", lambda v: f"{v:.1f}"),
    ("change", lambda v: f"{v:+.0%}"),
    ("yoy", lambda v: f"{v:+.0%}"),
    ("overdue", lambda v: f"{v:,}"),
    ("close_rate", lambda v: f"{v:.0%}"),
    ("red", lambda v: f"{v:,}"),
    ("orange", lambda v: f"{v:,}"),
)


def controls(period: int, sort: str, lang: str) -> html.Div:
    return html.Div(
        [
            html.Span(text("league_period", lang), className="league-label"),
            dcc.RadioItems(
                id="league-period",
                options=[{"label": text("league_days", lang, n=days), "value": days} for days in PERIODS],
                value=period,
                inline=True,
            ),
            html.Span(text("league_sort", lang), className="league-label"),
            dcc.RadioItems(
                id="league-sort",
                options=[{"label": text(f"league_{key}", lang), "value": key} for key in SORT_KEYS],
                value=sort,
                inline=True,
            ),
        ],
        className="league-controls",
    )


def table(rows: list[dict], sort: str, links: dict, lang: str) -> html.Table:
    """`links`: code -> (map href, drill href or None)."""
    head = [html.Th("#"), html.Th(""), html.Th(text("league_unit", lang))]
    head += [_head(key, key == sort, lang) for key, _ in COLUMNS]
    head.append(html.Th(""))
    body = [_row(rank, row, sort, links[row["code"]], lang) for rank, row in enumerate(rows, start=1)]
    return html.Table([html.Thead(html.Tr(head)), html.Tbody(body)], className="league-table", id="league-table")


def _head(key: str, sorted_on: bool, lang: str) -> html.Th:
    """A column's header: a button that ranks the table on it (as the sort control does)."""
    button = html.Button(
        text(f"league_{key}", lang),
        id={"type": "league-head", "key": key},
        className="league-head",
        title=text("league_sort_on", lang, column=text(f"league_{key}", lang)),
    )
    extra = {"aria-sort": "descending"} if sorted_on else {}
    return html.Th(button, className="sorted" if sorted_on else "", **extra)


def _row(rank: int, row: dict, sort: str, link: tuple, lang: str) -> html.Tr:
    map_href, drill_href = link
    cells = [
        html.Td(rank, className="rank"),
        html.Td(html.Img(src=small_map(row), width=MAP_PX[0], height=MAP_PX[1], alt=""), className="small-map"),
        html.Td(dcc.Link(row["name"], href=map_href, title=text("league_open_map", lang)), className="name"),
    ]
    for key, shown in COLUMNS:
        value = row[key]
        classes = ["number", "sorted" if key == sort else ""]
        if key in ("change", "yoy") and value is not None:
            classes.append("up" if value > 0 else "down" if value < 0 else "")
        cells.append(html.Td("–" if value is None else shown(value), className=" ".join(c for c in classes if c)))
    drill = dcc.Link(text("league_drill", lang), href=drill_href) if drill_href else ""
    cells.append(html.Td(drill, className="drill"))
    level = pick(LEVEL[row["level"]], lang) if row.get("level") in LEVEL else ""
    return html.Tr(cells, title=level)


def small_map(row: dict) -> str:
    """The unit's outline filled with its level's colour, as an SVG data URI. Longitude is
    scaled by the cosine of the latitude, so that shapes are not stretched sideways."""
    if not row.get("outline") or not row.get("width") or not row.get("height"):
        return ""
    squeeze = math.cos(math.radians(row["north"] - row["height"] / 2))
    box = f"{row['west'] * squeeze:.6f} {-row['north']:.6f} {row['width'] * squeeze:.6f} {row['height']:.6f}"
    colour = RISK_COLOURS.get(row.get("level"), NO_LEVEL)
    svg = (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="{box}">'
        f'<path transform="scale({squeeze:.6f},1)" d="{row["outline"]}" fill="{colour}" stroke="#52606d" '
        'stroke-width="1" vector-effect="non-scaling-stroke"/></svg>'
    )
    return "data:image/svg+xml;utf8," + quote(svg)
