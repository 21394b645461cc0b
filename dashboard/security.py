"""HTTP hardening of every response: no caching of anything that may hold sensitive data,
no MIME sniffing, no framing by other sites."""

import dash
import flask

# Paths whose responses are the same for everyone and hold nothing sensitive: Dash's script
# bundles, our stylesheets and scripts, the basemap tiles. Everything else is `no-store`.
PUBLIC_PREFIXES = ("/assets/", "/_dash-component-suites/", "/map/tiles/", "/wall/assets/", "/wall/_dash-component-suites/")


def harden(server: flask.Flask, dash_apps: list[dash.Dash]) -> None:
    """Add the security headers to every response of `server` (which serves `dash_apps`)."""

    @server.after_request
    def add_headers(response: flask.Response) -> flask.Response:
        headers = response.headers
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("Referrer-Policy", "same-origin")
        if not flask.request.path.startswith(PUBLIC_PREFIXES):
            headers["Cache-Control"] = "no-store"
        return response
