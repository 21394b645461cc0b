"""The project's objects belong to the owner role, not to the superuser.

On the local cluster the superuser (`postgres`) only creates databases, roles and extensions;
the role `safety_map_owner` (geo/db/cluster.py) owns the project's schemas, tables, sequences,
views and functions, so that its SECURITY DEFINER functions run as a role that row-level
security binds and that cannot touch the server. `prepare_database` runs as the superuser in a
database before anyone else uses it: it creates the extensions the migrations need (which the
owner may not), then gives the owner whatever an earlier version left to the superuser
(everything, in a database that version made). Idempotent: a database already converted
costs one catalog query.
"""

import re
from pathlib import Path

import psycopg
from psycopg import sql

from geo.db.migrate import MIGRATIONS_DIR

QUERIES_DIR = Path(__file__).parent / "queries" / "db"
# Any constant works; it serialises two processes converting one database.
PREPARE_LOCK_ID = 4_118_021
EXTENSION = re.compile(r"^\s*CREATE EXTENSION IF NOT EXISTS (\w+)", re.IGNORECASE | re.MULTILINE)
# The project's settings a function sets (`SET safety_map.scope = 'all'`): only a superuser, or
# a role granted SET on it, may create such a function, the setting being unknown to the server.
PARAMETER = re.compile(r"\bSET\s+(safety_map\.\w+)\s*(?:=|TO\b)", re.IGNORECASE)


def prepare_database(conn: psycopg.Connection, owner: str) -> list[str]:
    """As the superuser on `conn` (a connection to the database to prepare): create the
    migrations' extensions, then give `owner` the project's objects a superuser owns and the
    superuser's default privileges. Returns the statements that changed something.

    Example
    -------
    >>> with psycopg.connect(admin_url) as conn:
    ...     prepare_database(conn, "safety_map_owner")
    ['ALTER DATABASE "safety_map" OWNER TO "safety_map_owner"', ...]
    """
    done = []
    with conn.transaction():
        conn.execute("SELECT pg_advisory_xact_lock(%s)", [PREPARE_LOCK_ID])
        installed = {row[0] for row in conn.execute("SELECT extname FROM pg_extension")}
        for name in required_extensions():
            if name not in installed:
                done.append(_run(conn, sql.SQL("CREATE EXTENSION IF NOT EXISTS {}").format(sql.Identifier(name))))
        done += grant_parameters(conn, owner)
        for statement in ownership_statements(conn, owner) + default_privilege_statements(conn, owner):
            done.append(_run(conn, statement))
    return done


def grant_parameters(conn: psycopg.Connection, owner: str) -> list[str]:
    """As the superuser: let `owner` set the project's settings in its functions' SET clauses
    (a grant of the whole cluster, which the cluster's start also makes). Returns the grants
    made."""
    done = []
    for name in function_parameters():
        if not conn.execute("SELECT has_parameter_privilege(%s, %s, 'SET')", [owner, name]).fetchone()[0]:
            grant = sql.SQL("GRANT SET ON PARAMETER {} TO {}")
            done.append(_run(conn, grant.format(sql.Identifier(*name.split(".")), sql.Identifier(owner))))
    return done


def required_extensions() -> list[str]:
    """The extensions the migrations create (`CREATE EXTENSION IF NOT EXISTS name`), in order."""
    return _found(EXTENSION)


def function_parameters() -> list[str]:
    """The project's settings that the migrations' functions set (`SET safety_map.x = …`)."""
    return _found(PARAMETER)


def _found(pattern: re.Pattern) -> list[str]:
    names = []
    for path in sorted(MIGRATIONS_DIR.glob("*.sql")):
        names += [name for name in pattern.findall(path.read_text(encoding="utf-8")) if name not in names]
    return names


def ownership_statements(conn: psycopg.Connection, owner: str) -> list[sql.Composed]:
    """`ALTER … OWNER TO owner` for each project object a superuser owns (none once converted)."""
    statements = []
    for _step, keyword, schema, name, signature in conn.execute(_query("superuser_owned")):
        # A routine's or a type's name (with arguments) comes quoted by the server.
        names = (schema, name) if schema else (name,)
        target = sql.SQL(signature) if signature else sql.Identifier(*names)
        statements.append(sql.SQL("ALTER {} {} OWNER TO {}").format(sql.SQL(keyword), target, sql.Identifier(owner)))
    return statements


def default_privilege_statements(conn: psycopg.Connection, owner: str) -> list[sql.Composed]:
    """The superuser's default grants made the owner's: granted for `owner`, revoked for the
    superuser (so that none is left and the next call has nothing to do)."""
    statements = []
    for superuser, schema, objects, privilege, grantee, grantable in conn.execute(
        _query("superuser_default_privileges")
    ):
        where = sql.SQL(" IN SCHEMA {}").format(sql.Identifier(schema)) if schema else sql.SQL("")
        who = sql.Identifier(grantee) if grantee else sql.SQL("PUBLIC")
        what = sql.SQL("{} ON {}").format(sql.SQL(privilege), sql.SQL(objects))
        option = sql.SQL(" WITH GRANT OPTION") if grantable else sql.SQL("")
        statements.append(
            sql.SQL("ALTER DEFAULT PRIVILEGES FOR ROLE {}{} GRANT {} TO {}{}").format(
                sql.Identifier(owner), where, what, who, option
            )
        )
        statements.append(
            sql.SQL("ALTER DEFAULT PRIVILEGES FOR ROLE {}{} REVOKE {} FROM {}").format(
                sql.Identifier(superuser), where, what, who
            )
        )
    return statements


def _run(conn: psycopg.Connection, statement: sql.Composable) -> str:
    conn.execute(statement)
    return statement.as_string(conn)


def _query(name: str) -> str:
    return (QUERIES_DIR / f"{name}.sql").read_text(encoding="utf-8")
