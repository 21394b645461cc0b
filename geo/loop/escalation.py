"""Escalation on its own: every open case overdue at its level by the level's hours goes one
level up (网格 → 村/社区 → 乡镇/街道 → 县/区 → 市), an urgent category straight to its level; each
step is a case event and a notice to the next level's centre (migration 0033,
case_escalate_due). The scheduler runs it every minute; a run at the same moment as another, or
a second run, escalates nothing twice."""

import datetime as dt

import psycopg

ESCALATE = "SELECT case_escalate_due(coalesce(%s, now()))"


def escalate_due(conn: psycopg.Connection, at: dt.datetime | None = None) -> int:
    """Escalate what is due at `at` (default: now) in `conn`'s transaction; returns the count."""
    return conn.execute(ESCALATE, [at]).fetchone()[0]
