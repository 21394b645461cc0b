"""Moving a case through the loop: 受理 → 分拨 → 办理中 → 反馈 → 核查 → 结案 → 回访, and back.

The database decides (case_move, migration 0033): a move its transition table does not hold,
a role or jurisdiction it does not allow, a stale version or a missing reason is refused with
an SQLSTATE of its own and a JSON detail. Here each refusal becomes a `MoveError` worded in
Chinese and English; nothing of a refused move is stored (it runs in the caller's transaction,
which the error ends).
"""

import json
from dataclasses import dataclass

import psycopg
from psycopg.types.json import Jsonb

from geo.db.connection import load_query
from geo.db.frames import query_dicts
from geo.errors import UserError

STALE, ILLEGAL, REFUSED, BAD_INPUT = "SMC01", "SMC02", "SMC03", "SMC04"


@dataclass(frozen=True)
class Moved:
    version: int
    status: str
    event_id: int  # the move's case_event row (photos attach to it)


class MoveError(UserError):
    """A refused move: `kind` is stale, illegal, refused or bad_input; `detail` the database's."""

    def __init__(self, kind: str, message: str, zh: str, detail: dict):
        super().__init__(message, zh)
        self.kind, self.detail = kind, detail


def move(
    conn: psycopg.Connection,
    case_id: int,
    action: str,
    version: int,
    note: str = "",
    detail: dict | None = None,
    actor: str | None = None,
) -> Moved:
    """Make `action` on case `case_id`, seen at `version`, in `conn`'s transaction; raises
    MoveError when the database refuses. `actor` names the mover only for the owner's
    connections (the command line); the dashboard's mover is its session's user."""
    params = {"case_id": case_id, "action": action, "version": version, "note": note or "",
              "detail": Jsonb(detail or {}), "actor": actor}  # fmt: skip
    try:
        with conn.transaction():
            row = conn.execute(load_query("loop/move"), params).fetchone()
    except psycopg.Error as error:
        raise worded(error) from None
    return Moved(*row)


def history(conn: psycopg.Connection, case_id: int) -> list[dict]:
    """The case's moves, oldest first: at, actor, action, from/to status, note, detail, names."""
    return query_dicts(conn, load_query("loop/history"), {"case_id": case_id})


def worded(error: psycopg.Error) -> Exception:
    """The refusal as a MoveError in both languages; any other database error unchanged."""
    state = error.sqlstate or ""
    if state not in (STALE, ILLEGAL, REFUSED, BAD_INPUT):
        return error
    diag = error.diag
    message = diag.message_primary or str(error)
    try:
        detail = json.loads(diag.message_detail or "{}")
    except ValueError:
        detail = {}
    if state == STALE:
        action = detail.get("action_zh") or detail.get("action")
        zh = f"案件已被 {detail.get('actor') or '他人'} 于 {_short_time(detail.get('at'))} 处理（{action}），请刷新后再操作"
        return MoveError("stale", message, zh, detail)
    if state == ILLEGAL:
        allowed = "、".join(detail.get("allowed_zh") or []) or "无"
        zh = f"案件当前为“{detail.get('status_zh')}”，不能执行“{detail.get('action_zh') or detail.get('action')}”；可执行：{allowed}"
        return MoveError("illegal", message, zh, detail)
    if state == REFUSED and detail.get("session") is False:  # no live session: it ended or expired
        return MoveError("refused", "your session has ended: sign in again", "登录已失效，请重新登录", detail)
    if state == REFUSED:
        return MoveError("refused", message, "无权执行此操作（角色或辖区不符）", detail)
    return MoveError("bad_input", message, BAD_INPUT_ZH.get(detail.get("field"), "输入有误"), detail)


BAD_INPUT_ZH = {
    "case": "辖区内没有这个案件",
    "note": "请填写说明（退回、核查不通过、重新受理和反馈都需要说明）",
    "outcome": "调解结果须为：调解成功、调解不成、转诉讼、转信访",
    "satisfied": "回访须填写是否满意及方式（电话或走访）",
    "to": "分拨对象不存在或不在辖区内",
    "partners": "联办部门不存在",
    "into": "要合并到的案件不存在或不在辖区内",
    "category": "没有这个事件类型",
    "summary": "请填写事件描述（不超过2000字）",
    "position": "请提供位置（经纬度须在中国境内）或地址",
    "photos": "每次反馈最多6张照片",
    "place": "本网格内没有这个楼栋或重点场所",
}


def _short_time(value) -> str:
    """'2026-12-07T10:31:05.1+08:00' → '2026-12-07 10:31'."""
    return str(value or "")[:16].replace("T", " ")
