"""Security headers on every response, whatever blueprint made it (pages, JSON, static files, errors).

No page runs inline script (data rides in <script type="application/json">), so the policy allows scripts
from this origin only. HSTS is sent only over HTTPS, which the reverse proxy terminates (README: Deploying).
"""

from __future__ import annotations

from flask import Flask, Response, request

POLICY = ("default-src 'self'; img-src 'self' https: http: data: blob:; style-src 'self' 'unsafe-inline'; "
          "frame-ancestors 'none'; form-action 'self'; base-uri 'none'; object-src 'none'")
HEADERS = {
    "Content-Security-Policy": POLICY,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), payment=(), geolocation=(self)",
}


HSTS = ("Strict-Transport-Security", "max-age=31536000")


def init_app(app: Flask) -> None:
    @app.after_request
    def _security_headers(response: Response) -> Response:
        # One pass over what the response has: werkzeug's Headers.setdefault raises and catches a KeyError
        # for every header it then adds, six exceptions a request.
        present = {name.lower() for name in response.headers.keys()}
        wanted = [*HEADERS.items(), HSTS] if request.is_secure else HEADERS.items()
        response.headers.extend([(name, value) for name, value in wanted if name.lower() not in present])
        return response
