"""Plain HTTP endpoints beside Dash's callbacks: the offline basemap tiles (WebP), the heat
image (PNG), the photos of the case loop's reports and the live wall's change stamp. A bad request gets a 400 with a
one-line reason."""

from pathlib import Path

from flask import Flask, Response, jsonify, request

from dashboard import access, context
from dashboard.cache import one_at_a_time, remembered
from geo import clock
from geo.auth.roles import CASE_DETAILS
from geo.live.changes import listener_for
from geo.loop import photos
from geo.map.basemap import tile_image
from geo.map.heat import heat_png

TILE_MAX_AGE_S = 3600
HEAT_MAX_AGE_S = 30


def register_routes(server: Flask, url: str, tile_cache: Path) -> None:
    """Add /map/tiles/<z>/<x>/<y>.webp, /map/heat.png and /case-photos/<id> to the Flask
    server; drawn tiles are kept in `tile_cache`."""
    register_photo_route(server, url)

    @server.get("/wall/changes")
    def wall_changes():
        # Behind the gate's rule for /wall (the wall's permission); nothing here but a clock.
        response = jsonify(listener_for(url).state())
        response.headers["Cache-Control"] = "no-store"
        return response

    @server.get("/map/tiles/<int:z>/<int:x>/<int:y>.webp")
    def basemap_tile(z: int, x: int, y: int):
        try:
            # A tile asked for by several leaders at once is drawn once.
            with one_at_a_time(("tile", z, x, y)):
                image = tile_image(url, z, x, y, tile_cache)
        except ValueError as error:
            return Response(str(error), status=400, mimetype="text/plain")
        # Private: the browser keeps it, a shared proxy does not (tiles are for signed-in users).
        return _image(image, "image/webp", f"private, max-age={TILE_MAX_AGE_S}")

    @server.get("/map/heat.png")
    def heat_image():
        raw = {key: request.args.get(key, "") for key in ("from", "to", "cat", "src", "st")}
        with context.connection(url) as conn:
            unit, unknown = context.resolve_unit(conn, request.args.get("u") or None)
            if unit is None or unknown:
                return Response("unknown unit", status=400, mimetype="text/plain")
            if not unit.is_area and not access.may(CASE_DETAILS):
                # Over a grid or a building the heat all but points at single cases.
                return Response("no case details for this role", status=403, mimetype="text/plain")
            query, _ignored = context.resolve_query(conn, raw)
            draw = lambda: heat_png(conn, unit, context.case_filter(query), clock.today())  # noqa: E731
            png = remembered((url, unit.code, "heat", str(sorted(query.items()))), draw) if unit.is_area else draw()
        return _image(png, "image/png", f"private, max-age={HEAT_MAX_AGE_S}")


def register_photo_route(server: Flask, url: str) -> None:
    """Add /case-photos/<id>: a report's photo, to a signed-in user whose jurisdiction holds its
    case (the database decides, migration 0034 case_photo); 404 to anyone else, the same as for
    a photo that does not exist."""

    @server.get("/case-photos/<int:attachment_id>")
    def case_photo(attachment_id: int):
        if access.signed_in_user() is None or not access.may(CASE_DETAILS):
            return Response("sign in first", status=401, mimetype="text/plain")
        with context.connection(url) as conn:
            photo = photos.read(conn, attachment_id) if attachment_id < 2**62 else None
        if photo is None:
            return Response("no such photo", status=404, mimetype="text/plain")
        response = _image(photo.content, photo.mime, "private, max-age=3600")
        response.headers["Content-Disposition"] = "inline"
        return response


def _image(body: bytes, mimetype: str, cache_control: str) -> Response:
    response = Response(body, mimetype=mimetype)
    response.headers["Cache-Control"] = cache_control
    return response
