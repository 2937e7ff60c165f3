"""The security headers of every response, in one place.

Every answer of the site (pages, error pages, redirects, static files, CSV, ICS
and JSON downloads) carries the same protections: a Content-Security-Policy that
runs no inline script or style (images may be inline ``data:``) and lets no
other site frame us, no MIME sniffing, and HSTS in production.

Some answers are *private*: they show someone's personal data or carry a token
that acts as a password. Browsers and proxies must not store them, and their
URL must not leave in a Referer header. A response is private when it is

- a back-office page (every path under ``/gestion/``),
- reached through a personal token (a route with a ``<token>`` argument),
- produced by a view marked with :func:`personal_data`,
- or answered to a URL that matched no route: we cannot tell what it carries.

New back-office pages and new token routes are private without any marking.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask, Response, current_app, request

BACK_OFFICE_PREFIX = "/gestion/"

CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        # The figures' charts are SVG images inside their page (an image runs no script).
        "img-src 'self' data:",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "object-src 'none'",
    )
)

EVERY_RESPONSE = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    # frame-ancestors for today's browsers, X-Frame-Options for older ones.
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "strict-origin-when-cross-origin",
}

PRIVATE_RESPONSE = {
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
    "X-Robots-Tag": "noindex",
}

#: Sent in production only: a development server on http://127.0.0.1 must stay reachable.
STRICT_TRANSPORT_SECURITY = "max-age=31536000; includeSubDomains"

_MARK = "shows_personal_data"


def personal_data(view: Callable) -> Callable:
    """Mark a view whose pages show personal data without a token in their URL
    (the registration form sent back with its errors, its confirmation)."""
    setattr(view, _MARK, True)
    return view


def register_security_headers(app: Flask) -> None:
    app.after_request(apply_security_headers)


def apply_security_headers(response: Response) -> Response:
    response.headers.update(EVERY_RESPONSE)
    if is_private_request():
        # Replaces any caching a view chose (a personal calendar feed, a download).
        response.headers.update(PRIVATE_RESPONSE)
        response.headers.pop("Expires", None)
    if current_app.config["HSTS_ENABLED"]:
        response.headers["Strict-Transport-Security"] = STRICT_TRANSPORT_SECURITY
    return response


def is_private_request() -> bool:
    rule = request.url_rule
    if rule is None:
        return True
    if rule.rule.startswith(BACK_OFFICE_PREFIX) or "token" in rule.arguments:
        return True
    view = current_app.view_functions.get(request.endpoint)
    return getattr(view, _MARK, False)
