"""The categories layer: the city's case category catalogue, two levels (大类 / 小类).

One row per group or category: a row without a parent (上级编码) is a group, a row with one
is a category of that group. Groups and categories have codes of their own (the group
public_order holds the category public_order). Synonyms are separated by ； or ; .

The file as a whole is refused (one line, nothing written) for a code twice, a cycle of
parents, a category whose group is neither in the file nor in the catalogue (or that sits
under a category), and a row without parent that carries a deadline or severity (a category
that lost its group). Importing upserts: what the file does not name stays, so a category
that stored cases use is never deleted. A new group gets its unclassified category
(<group>_unclassified) when the file gives it none. Unclassified cases whose text the new
catalogue names move to that category (or, a group's name, to its unclassified category).
"""

from collections import Counter

from geo.db.connection import load_query
from geo.errors import UserError
from geo.imports.columns import Field
from geo.imports.layer import Layer
from geo.imports.rows import clean_key
from geo.imports.values import choice, integer, pattern
from geo.imports.write import upsert
from geo.shared.categories import GLOBAL_UNCLASSIFIED, lookup_key, normal

CODE = r"[A-Za-z0-9_.-]{1,60}"
# A category's clock and its urgent level (case_category.clock, .urgent_level: migration 0033).
CLOCKS = {"calendar": ("自然日", "日历日", "日历"), "working": ("工作日", "工作时间")}
URGENT_LEVELS = {
    "community": ("社区", "村", "村/社区", "村社区", "社区/村"),
    "township": ("乡镇", "街道", "乡镇/街道", "乡镇街道"),
    "county_city": ("县区", "县", "区", "县/区"),
    "city": ("市", "地市"),
}
SYNONYM_SEPARATORS = ("；", ";")
GROUP_CODE_MAX = 60 - len("_unclassified")


def _severity(value):
    """A weight in risk scores: a number in 0–100."""
    try:
        number = float(normal(value))
    except ValueError:
        return None, f"{value!r} is not a number"
    return (number, None) if 0 <= number <= 100 else (None, f"{number:g} is outside 0–100")


FIELDS = [
    Field("code", True, ("编码", "分类编码", "代码", "code"), "the group's or category's code (letters, digits, _ . -)",
          pattern(CODE, "a code of letters, digits, _ . - (at most 60)")),
    Field("parent", False, ("上级编码", "所属大类", "大类编码", "上级", "parent"), "empty for a group; the group's "
          "code for a category", pattern(CODE, "a group's code")),
    Field("name_zh", True, ("名称", "中文名称", "分类名称", "name_zh", "name"), "the Chinese name"),
    Field("name_en", False, ("英文名称", "name_en"), "the English name (default: the Chinese one)"),
    Field("deadline_days", False, ("办理时限(天)", "办理时限（天）", "办理时限", "时限", "deadline_days", "deadline"),
          "categories: days to handle a case (default 10, or as stored)", integer(1, 3650)),
    Field("severity", False, ("严重程度", "严重度", "severity"), "categories: weight of a case in risk scores "
          "(default: weights.toml's)", _severity),
    Field("synonyms", False, ("同义词", "别名", "synonyms", "aliases"), "other names, separated by ； or ;"),
    Field("clock", False, ("时限类型", "计时方式", "计时", "clock"), "categories: whether the deadline's days are "
          "自然日 (calendar) or 工作日 (working days of the working hours; default: as stored, calendar)", choice(CLOCKS)),
    Field("urgent_level", False, ("紧急上报层级", "紧急升级", "紧急", "urgent_level"), "categories: the level an urgent "
          "case goes up to at once (社区, 乡镇, 县区, 市; empty: none)", choice(URGENT_LEVELS)),
]  # fmt: skip
STAGING = {"entry": "text", "code": "text", "parent": "text", "name_zh": "text", "name_en": "text",
           "deadline_days": "float8", "severity": "float8", "synonyms": "text[]", "clock": "text",
           "urgent_level": "text"}  # fmt: skip
GROUP_CODES = "SELECT code FROM case_group"
CATEGORY_CODES = "SELECT code FROM case_category"


def prepare(conn, table, columns) -> None:
    """Refuse the file as a whole for what would make the catalogue inconsistent."""
    rows = _entries(table, columns)
    groups = {code for code, parent, *_ in rows if not parent}
    categories = {code: parent for code, parent, *_ in rows if parent}
    _refuse_repeated(rows)
    _refuse_group_rows_with_category_values(rows)
    known_groups = groups | {code for (code,) in conn.execute(GROUP_CODES)}
    _refuse_cycles(categories, known_groups)
    stored_categories = {code for (code,) in conn.execute(CATEGORY_CODES)}
    for code, parent, line, *_ in rows:
        if parent and parent not in known_groups:
            under = parent in categories or parent in stored_categories
            raise UserError(
                f"line {line}: category {code!r} sits under the category {parent!r}: a catalogue has two levels, "
                "group and category"
                if under
                else f"line {line}: category {code!r} has no known group: {parent!r} is neither a group of the "
                "file (a row without 上级编码) nor of the catalogue"
            )
        _refuse_misplaced_unclassified(code, parent, line)
    _refuse_shared_names(conn, rows)


def _entries(table, columns) -> list[tuple]:
    """(code, parent, line, has a deadline or severity, names and synonyms) per row with a
    code, as the cells read."""
    read = {name: table.frame[columns[name]].tolist() if columns.get(name) else [""] * len(table.lines)
            for name in ("code", "parent", "deadline_days", "severity", "name_zh", "name_en", "synonyms")}  # fmt: skip
    rows = []
    for i, line in enumerate(table.lines):
        code = normal(clean_key(read["code"][i]))
        if code:
            extra = bool(normal(read["deadline_days"][i]) or normal(read["severity"][i]))
            names = (read["name_zh"][i], read["name_en"][i], *_split(normal(read["synonyms"][i])))
            rows.append((code, normal(clean_key(read["parent"][i])), line, extra, names))
    return rows


def _refuse_shared_names(conn, rows: list[tuple]) -> None:
    """A name or synonym of two groups, or of two categories of one group, would let a case
    cell mean either: the catalogue as it would be after the import (the file's rows over the
    stored ones) names each thing once per level. Categories of different groups may share a
    name (an 其他 in every group): a case's group cell tells them apart."""
    stored = [(code, group, (zh, en, *synonyms)) for code, group, zh, en, synonyms, *_ in conn.execute(
        load_query("categories/catalogue"))]  # fmt: skip
    stored += [(code, None, (zh, en, *synonyms)) for code, zh, en, synonyms in conn.execute(
        load_query("categories/groups"))]  # fmt: skip
    entries = {(bool(group), code): (group, names) for code, group, names in stored}
    for code, parent, _line, _extra, names in rows:
        entries[bool(parent), code] = (parent or None, names)
    owners = {}
    for (_is_category, code), (group, names) in entries.items():
        for key in {lookup_key(name) for name in (*names, code)} - {""}:
            owners.setdefault((group, key), set()).add(code)
    for (group, key), codes in owners.items():
        if len(codes) > 1:
            where = f"categories of the group {group!r}" if group else "groups"
            raise UserError(f"{key!r} names two {where}: {', '.join(sorted(codes))}; a name or synonym names one")


def _refuse_repeated(rows: list[tuple]) -> None:
    counts = Counter((bool(parent), code) for code, parent, *_ in rows)
    for (is_category, code), count in counts.items():
        if count > 1:
            lines = ", ".join(str(line) for c, p, line, *_ in rows if c == code and bool(p) == is_category)
            kind = "category" if is_category else "group"
            raise UserError(f"duplicate {kind} code {code!r} on lines {lines}: each code once")


def _refuse_group_rows_with_category_values(rows: list[tuple]) -> None:
    for code, parent, line, extra, _names in rows:
        if not parent and len(code) > GROUP_CODE_MAX:
            raise UserError(f"line {line}: group code {code!r} is longer than {GROUP_CODE_MAX} characters (its "
                            "unclassified category's code, <group>_unclassified, must stay within 60)")  # fmt: skip
        if not parent and extra:
            raise UserError(f"line {line}: {code!r} has a deadline or severity but no group (上级编码): a category "
                            "needs its group; a group row leaves them empty")  # fmt: skip


def _refuse_cycles(categories: dict[str, str], groups: set[str]) -> None:
    """A chain of parents through categories that comes back to where it started."""
    for start in categories:
        path, code = [start], categories[start]
        while code in categories and code not in groups:
            if code in path:
                loop = path[path.index(code) :] + [code]
                raise UserError(f"a cycle of parents: {' → '.join(loop)} (a category's parent is its group)")
            path.append(code)
            code = categories[code]


def _refuse_misplaced_unclassified(code: str, parent: str, line: int) -> None:
    owner = GLOBAL_UNCLASSIFIED if code == GLOBAL_UNCLASSIFIED else code.removesuffix("_unclassified")
    if owner != code and parent != owner:
        raise UserError(f"line {line}: {code!r} is the unclassified category of the group {owner!r}: its parent "
                        f"must be {owner!r}")  # fmt: skip


def finish(record: dict, context):
    parent = record["parent"] or None
    if parent is None:
        record |= {"deadline_days": None, "severity": None, "clock": None, "urgent_level": None}
    synonyms = [normal(s) for s in _split(record["synonyms"] or "")]
    return {
        "entry": f"{'category' if parent else 'group'} {record['code']}",
        "code": record["code"],
        "parent": parent,
        "name_zh": normal(record["name_zh"]),
        "name_en": normal(record["name_en"]) or normal(record["name_zh"]),
        "deadline_days": record["deadline_days"],
        "severity": record["severity"],
        "synonyms": list(dict.fromkeys(s for s in synonyms if s)),
        "clock": record["clock"],
        "urgent_level": record["urgent_level"],
    }, None


def _split(text: str) -> list[str]:
    for separator in SYNONYM_SEPARATORS[1:]:
        text = text.replace(separator, SYNONYM_SEPARATORS[0])
    return text.split(SYNONYM_SEPARATORS[0])


def write(conn, context, origin) -> dict:
    """Upsert groups, then categories, then give every group without one its unclassified
    category, then move the unclassified cases whose text the catalogue now knows; the counts
    of groups and categories inserted and updated, the new unclassified categories and the
    number of cases moved."""
    groups = upsert(conn, "imports/categories_groups_upsert")
    categories = upsert(conn, "imports/categories_upsert")
    created = conn.execute(load_query("imports/categories_unclassified")).fetchall()
    moved = conn.execute(load_query("imports/categories_reclassify")).fetchone()[0]
    return {
        "inserted": len(groups[0]) + len(categories[0]),
        "updated": len(groups[1]) + len(categories[1]),
        "flags": {},
        "unclassified_created": [code for code, _ in created],
        "cases_reclassified": moved,
    }


LAYER = Layer("categories", "事件分类目录", FIELDS, None, finish, write, prepare=prepare, staging=STAGING,
              whole_file=True, staged_key="entry")  # fmt: skip
