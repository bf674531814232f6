"""The office's web desk: one more way in beside the messengers, mounted under `/web/` by
`tocds serve` (and `tocds run` with TOCDS_LISTEN). It shows what the chat shows, read with
the same queries (`figures/`, `models/`) and the same reach (`models/access.py`); it imports
no chat handler. One module per family of pages; templates and static files beside them."""

from collections.abc import Callable
from datetime import datetime

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from ..locales import translator
from ..models.types import utcnow
from . import audit, overview, people, reports, review, signin
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


class SecureHeaders:
    """Adds HEADERS to every response (a plain ASGI middleware: no copy of the body)."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        async def send_with_headers(message):
            if message["type"] == "http.response.start":
                given = {name.lower() for name, _ in message.get("headers", [])}
                message["headers"] = [*message.get("headers", []),
                                      *((name.lower().encode(), value.encode()) for name, value in HEADERS.items()
                                        if name.lower().encode() not in given)]
            await send(message)

        await self.app(scope, receive, send_with_headers if scope["type"] == "http" else send)


def _not_signed_in(request, error):
    return signed_out_page(translator("vi"))


def create_desk(database_url: str, evidence_dir, timezone: str = "Asia/Ho_Chi_Minh",
                clock: Callable[[], datetime] = utcnow) -> Starlette:
    """The desk's app, to mount at `/web`; `clock` gives the moment the pages are read for."""
    app = Starlette(
        routes=[
            Route("/", overview.home, methods=["GET"]),
            Route("/login/{token}", signin.login, methods=["GET"]),
            Route("/logout", signin.logout, methods=["POST"]),
            Route("/language", signin.language, methods=["POST"]),
            Route("/unit/{unit_id:int}", overview.unit_page, methods=["GET"]),
            Route("/unit/{unit_id:int}/export", overview.export, methods=["GET"]),
            Route("/unit/{unit_id:int}/reports", reports.reports_page, methods=["GET"]),
            Route("/unit/{unit_id:int}/evidence", review.review_page, methods=["GET"]),
            Route("/unit/{unit_id:int}/audit", audit.audit_page, methods=["GET"]),
            Route("/unit/{unit_id:int}/people", people.people_page, methods=["GET"]),
            Route("/unit/{unit_id:int}/people/invite", people.invite, methods=["POST"]),
            Route("/unit/{unit_id:int}/people/invite/{code}", people.invite_card, methods=["GET"]),
            Route("/unit/{unit_id:int}/people/{membership_id:int}/{change}", people.confirm_page, methods=["GET"]),
            Route("/unit/{unit_id:int}/people/{membership_id:int}/{change}", people.change, methods=["POST"]),
            Route("/evidence/{evidence_id:int}", review.decision, methods=["POST"]),
            Route("/evidence/{evidence_id:int}/{sha256}", review.photo, methods=["GET"]),
            Mount("/static", StaticFiles(directory=STATIC), name="static"),
        ],
        middleware=[Middleware(SecureHeaders)],
        exception_handlers={NotSignedIn: _not_signed_in},
    )
    app.state.database_url = database_url
    app.state.evidence_dir = evidence_dir
    app.state.timezone = timezone
    app.state.clock = clock
    return app
