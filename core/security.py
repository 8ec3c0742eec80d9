"""Response headers that make every page safer by default."""

from __future__ import annotations

from flask import request

CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self' 'wasm-unsafe-eval'",  # the QR decoder is WebAssembly
        "style-src 'self'",
        "img-src 'self' data: blob:",
        "media-src 'self' blob:",
        "connect-src 'self'",
        "worker-src 'self'",
        "manifest-src 'self'",
        "font-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


# Pages reached by a personal link (the link is the key), and downloads of personal data:
# never kept by a shared computer's cache, never sent on as a Referer.
PRIVATE_PATHS = (
    "/r/", "/t/", "/s/", "/u/", "/confirm/", "/my-data/", "/f/", "/welcome/", "/password/reset/",
)  # fmt: skip


def _private() -> bool:
    path = request.path
    if path.startswith(PRIVATE_PATHS) or "/export" in path:
        return True
    endpoint = request.endpoint or ""
    return endpoint.endswith((".export", ".devices")) or "export" in endpoint


def init_app(app) -> None:
    @app.after_request
    def _headers(response):
        if _private():
            response.headers["Cache-Control"] = "no-store"
            response.headers["Referrer-Policy"] = "no-referrer"
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Permissions-Policy", "camera=(self), geolocation=()")
        if app.config.get("SESSION_COOKIE_SECURE"):
            response.headers.setdefault(
                "Strict-Transport-Security", "max-age=31536000; includeSubDomains"
            )
        return response
