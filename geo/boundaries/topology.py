"""Gaps, overlaps, children outside their parent, and orphans (a parent that is not there),
across the whole boundary hierarchy.

Areas are measured on the spheroid (PostGIS geography), in square metres; anything at or
below the threshold (default 1 m²) is float noise, not a planning error.
"""

import psycopg

from geo.db.connection import load_query

MIN_AREA_M2 = 1.0
CHECKS = ("gaps", "overlaps", "outside", "orphans")


def check_topology(conn: psycopg.Connection, min_area_m2: float = MIN_AREA_M2) -> dict:
    """Run the checks; return {"gaps": [...], "overlaps": [...], "outside": [...],
    "orphans": [...], "problems": total}. Each finding is a dict naming the relation, the codes and the area.

    Example
    -------
    >>> report = check_topology(conn)
    >>> report["problems"]
    0
    """
    conn.execute(load_query("boundaries/topology_relations"))  # a temporary view, gone with the session
    report = {check: _run(conn, f"boundaries/topology_{check}", min_area_m2) for check in CHECKS}
    report["problems"] = sum(len(report[check]) for check in CHECKS)
    report["min_area_m2"] = min_area_m2
    return report


def _run(conn: psycopg.Connection, query: str, min_area_m2: float) -> list[dict]:
    cursor = conn.execute(load_query(query), {"min_area_m2": min_area_m2})
    columns = [column.name for column in cursor.description]
    return [dict(zip(columns, row)) for row in cursor]


def format_report(report: dict) -> str:
    """Human-readable summary: one line per check, then the first findings of each."""
    lines = [f"threshold {report['min_area_m2']} m²"]
    for check in CHECKS:
        findings = report[check]
        lines.append(f"{check}: {len(findings)}")
        for finding in findings[:20]:
            area = finding.pop("area_m2")
            size = "" if area is None else f" area={area:.1f} m²"
            lines.append("  " + " ".join(f"{k}={v}" for k, v in finding.items()) + size)
        if len(findings) > 20:
            lines.append(f"  … and {len(findings) - 20} more")
    lines.append(
        "OK: no gaps, no overlaps, nothing outside its parent, no orphans"
        if not report["problems"]
        else f"FAILED: {report['problems']} problem(s)"
    )
    return "\n".join(lines)
