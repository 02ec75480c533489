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


def init_app(app: Flask) -> None:
    @app.after_request
    def _security_headers(response: Response) -> Response:
        for name, value in HEADERS.items():
            response.headers.setdefault(name, value)
        if request.is_secure:
            response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
        return response
