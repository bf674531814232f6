"""The office's web desk: one more way in beside the messengers, mounted under `/web/` by
`tocds serve` (and `tocds run` with TOCDS_LISTEN). It shows what the chat shows, read with
the same queries (`figures/`, `models/`) and the same reach (`models/access.py`); it imports
no chat handler. One module per family of pages; templates and static files beside them."""

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.base import BaseHTTPMiddleware
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from ..locales import translator
from . import overview, review, signin
from .desk import STATIC, NotSignedIn, signed_out_page

# Nothing from elsewhere: the desk works on a commune's intranet, and no page may be framed.
HEADERS = {
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
                               "frame-ancestors 'none'; form-action 'self'; base-uri 'none'",
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",  # a sign-in link in the address bar goes nowhere else
    "Cache-Control": "no-store",
}


async def _secure_headers(request, call_next):
    response = await call_next(request)
    for name, value in HEADERS.items():
        response.headers.setdefault(name, value)
    return response


def _not_signed_in(request, error):
    return signed_out_page(translator("vi"))


def create_desk(database_url: str, evidence_dir, timezone: str = "Asia/Ho_Chi_Minh") -> Starlette:
    """The desk's app, to mount at `/web`."""
    app = Starlette(
        routes=[
            Route("/", overview.home, methods=["GET"]),
            Route("/login/{token}", signin.login, methods=["GET"]),
            Route("/logout", signin.logout, methods=["POST"]),
            Route("/language", signin.language, methods=["POST"]),
            Route("/unit/{unit_id:int}", overview.unit_page, methods=["GET"]),
            Route("/unit/{unit_id:int}/export", overview.export, methods=["GET"]),
            Route("/unit/{unit_id:int}/evidence", review.review_page, methods=["GET"]),
            Route("/evidence/{evidence_id:int}", review.decision, methods=["POST"]),
            Route("/evidence/{evidence_id:int}/{sha256}", review.photo, methods=["GET"]),
            Mount("/static", StaticFiles(directory=STATIC), name="static"),
        ],
        middleware=[Middleware(BaseHTTPMiddleware, dispatch=_secure_headers)],
        exception_handlers={NotSignedIn: _not_signed_in},
    )
    app.state.database_url = database_url
    app.state.evidence_dir = evidence_dir
    app.state.timezone = timezone
    return app
