"""HTTP hardening of every response: a Content-Security-Policy, no caching of anything that
may hold sensitive data, no MIME sniffing, no framing by other sites."""

import dash
import flask

# Paths whose responses are the same for everyone and hold nothing sensitive: Dash's script
# bundles, our stylesheets and scripts, the basemap tiles. Everything else is `no-store`.
PUBLIC_PREFIXES = (
    "/assets/",
    "/_dash-component-suites/",
    "/map/tiles/",
    "/wall/assets/",
    "/wall/_dash-component-suites/",
)

# Everything comes from this server. Scripts: our own files plus Dash's few inline scripts
# (the renderer's start and the clientside callbacks), each allowed by its hash; no
# 'unsafe-inline' and no 'unsafe-eval' (plotly.js's SVG charts, dash-leaflet and the Dash
# renderer run without eval; only plotly's WebGL traces would need it, and none is used).
# Styles need 'unsafe-inline': plotly.js and Dash's DataTable insert <style> elements at run
# time and Leaflet's divIcons (the wall's pulsing new cases) carry style attributes in their
# HTML; a nonce or hash cannot cover styles made in the browser. Styles cannot run code, and
# every data text is escaped or set as text, so this opens no way in for a script.
# Images: tiles and the heat image from here; Leaflet and plotly use data: and blob: images.
POLICY = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'", "'unsafe-inline'"],
    "img-src": ["'self'", "data:", "blob:"],
    "font-src": ["'self'", "data:"],
    "connect-src": ["'self'"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "frame-ancestors": ["'none'"],
    "form-action": ["'self'"],
}


def content_security_policy(dash_apps: list[dash.Dash]) -> str:
    """The policy's header value, with the hashes of the inline scripts of every app in
    `dash_apps` (after all their callbacks are registered)."""
    hashes = []
    for app in dash_apps:
        hashes += [h for h in app.csp_hashes() if h not in hashes]
    policy = {**POLICY, "script-src": POLICY["script-src"] + hashes}
    return "; ".join(f"{name} {' '.join(sources)}" for name, sources in policy.items())


def harden(server: flask.Flask, dash_apps: list[dash.Dash]) -> None:
    """Add the security headers to every response of `server` (which serves `dash_apps`)."""
    policy: list[str] = []  # computed on the first response, when every callback is registered

    @server.after_request
    def add_headers(response: flask.Response) -> flask.Response:
        if not policy:
            policy.append(content_security_policy(dash_apps))
        headers = response.headers
        headers.setdefault("Content-Security-Policy", policy[0])
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("Referrer-Policy", "same-origin")
        # An error (a tile out of range, a missing asset) is not kept either.
        if not flask.request.path.startswith(PUBLIC_PREFIXES) or response.status_code >= 400:
            headers["Cache-Control"] = "no-store"
        return response
