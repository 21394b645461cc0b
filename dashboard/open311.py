"""Open311 GeoReport v2 at /open311/v2/ (geo/loop/open311.py says what it serves and to whom).
JSON only; an error is Open311's list of one {code, description}. These paths pass the sign-in
gate: the API key in the request is the credential, checked by the database."""

import flask
from flask import Flask, request

from geo.db.pool import get_pool
from geo.errors import UserError
from geo.loop import open311

PREFIX = "/open311/v2"


def register_open311(server: Flask, url: str) -> None:
    """Add the Open311 endpoints to the Flask server, reading and writing database `url` (the
    dashboard's role)."""

    @server.get(f"{PREFIX}/services.json")
    def open311_services():
        with get_pool(url).connection() as conn:
            return flask.jsonify(open311.services(conn))

    @server.post(f"{PREFIX}/requests.json")
    def open311_post():
        form = request.form.to_dict() if request.form else (request.get_json(silent=True) or {})
        if not isinstance(form, dict):
            return _error(400, "a form of Open311's fields is expected")
        try:
            with get_pool(url).connection() as conn, conn.transaction():
                posted = open311.post(conn, form)
        except UserError as error:
            return _error(getattr(error, "status", 400), str(error))
        notice = f"受理编号 {posted.case_code}" + (f"，已落位网格 {posted.placed_in}" if posted.placed_in else "")
        return flask.jsonify([{"service_request_id": posted.service_request_id, "service_notice": notice,
                               "account_id": None}]), 201  # fmt: skip

    @server.get(f"{PREFIX}/requests.json")
    def open311_requests():
        return _listed(lambda conn: open311.service_requests(conn, request.args.to_dict()))

    @server.get(f"{PREFIX}/requests/<request_id>.json")
    def open311_request(request_id: str):
        return _listed(
            lambda conn: open311.service_requests(conn, request.args.to_dict(), [request_id[:100]]), single=True
        )

    def _listed(read, single: bool = False):
        try:
            with get_pool(url).connection() as conn, conn.transaction():
                rows = read(conn)
        except UserError as error:
            return _error(getattr(error, "status", 400), str(error))
        if single and not rows:
            return _error(404, "no such service request")
        return flask.jsonify(rows)


def _error(status: int, description: str) -> tuple[flask.Response, int]:
    return flask.jsonify([{"code": status, "description": description}]), status
