"""The investigator's web console, served at ``/console/``.

A static single-page app: the page and its scripts come from this package (the graph renderer
from ``static/vendor/``, installed by ``scripts/setup.d/50-web.sh``, never from a CDN) and it
talks only to the JSON API (``/api/v1``) with the key the investigator typed, kept in
``sessionStorage``. The blueprint serves files and nothing else: every read of person data goes
through the API, so it is authenticated, purpose-checked and audited there.
"""

from __future__ import annotations

from flask import Blueprint, Response, render_template

__all__ = ["bp"]

bp = Blueprint(
    "web",
    __name__,
    url_prefix="/console",
    template_folder="templates",
    static_folder="static",
    static_url_path="/static",
)

_CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; "
    "connect-src 'self'; font-src 'self'; form-action 'none'; frame-ancestors 'none'; base-uri 'none'"
)


@bp.after_request
def _headers(response: Response) -> Response:
    response.headers.setdefault("Content-Security-Policy", _CSP)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "no-referrer")
    response.headers.setdefault("X-Frame-Options", "DENY")
    if response.mimetype == "text/html":
        response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/")
def index() -> str:
    """The console page (no data in it: everything comes from the API once signed in)."""
    return render_template("console.html", api_base="/api/v1")
