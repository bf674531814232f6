"""`tocds serve`: the webhook server, for deployments behind an HTTPS proxy.

Each `POST /<channel>` is checked against TOCDS_WEBHOOK_SECRET (constant-time), stored
in the inbox and answered 200 at once; the update is handled in the background, so the
messenger never waits on the database or redelivers because of a slow reply. Any number
of `serve` processes may share one PostgreSQL database.
"""

import asyncio
import contextlib
import functools
import hmac
import json
import logging

from sqlalchemy import text
from sqlmodel import Session
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, PlainTextResponse, Response
from starlette.routing import Mount, Route

from ..models.db import get_engine, upgrade
from ..models.privacy import link_opened
from ..models.types import utcnow
from ..web import create_desk
from .channels import Channel
from .mailroom import Mailroom
from .published import Expired, NotPublished
from .run import once_connected, prepare, publisher
from .runtime import spare_the_collector
from .settings import Settings

log = logging.getLogger(__name__)


def create_app(settings: Settings, channels: list[Channel]) -> Starlette:
    mailroom = Mailroom(settings.database_url, settings.defaults())
    by_name = {channel.name: channel for channel in channels}
    secret = (settings.webhook_secret or "").encode()
    files = publisher(settings)

    async def receive(request: Request) -> JSONResponse:
        channel = by_name.get(request.path_params["channel"])
        if channel is None:
            return JSONResponse({"ok": False, "error": "no such channel"}, status_code=404)
        given = request.headers.get(channel.secret_header, "").encode()
        if not secret or not hmac.compare_digest(given, secret):
            return JSONResponse({"ok": False, "error": "forbidden"}, status_code=403)
        try:
            payload = channel.unwrap(json.loads(await request.body()))
            channel.update_key(payload)
        except (ValueError, KeyError, TypeError, AttributeError):
            return JSONResponse({"ok": False, "error": "not an update"}, status_code=400)
        await asyncio.to_thread(mailroom.store, channel, [payload])
        mailroom.inbox_ready[channel.name].set()
        return JSONResponse({"ok": True})

    async def healthz(request: Request) -> JSONResponse:
        def check() -> None:
            with get_engine(settings.database_url).connect() as connection:
                connection.execute(text("SELECT 1"))

        try:
            await asyncio.to_thread(check)
        except Exception:
            log.exception("health check: database unreachable")
            return JSONResponse({"ok": False, "database": "unreachable"}, status_code=503)
        return JSONResponse({"ok": True})

    def opened(digest: str) -> bool:
        with Session(get_engine(settings.database_url)) as session:
            return link_opened(session, digest, utcnow())

    async def published_file(request: Request) -> Response:
        """A chart, a spreadsheet or an evidence photo linked in a Zalo message, while its link
        is valid (a photo: each opening recorded, and none once the photo is deleted)."""
        if files is None:
            return PlainTextResponse("not found", status_code=404)
        try:
            path = files.open(**request.path_params)
        except Expired:
            return PlainTextResponse("this link has expired: ask the bot again", status_code=410)
        except NotPublished:
            return PlainTextResponse("not found", status_code=404)
        if not await asyncio.to_thread(opened, request.path_params["digest"]):
            return PlainTextResponse("this photo was deleted", status_code=410)
        return FileResponse(path, filename=request.path_params["name"])

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette):
        await asyncio.to_thread(upgrade, settings.database_url)

        async def connect(channel: Channel) -> None:
            await prepare(settings, channel)
            if settings.webhook_url:
                await channel.use_webhook(f"{settings.webhook_url.rstrip('/')}/{channel.name}",
                                          settings.webhook_secret)

        # Updates are received and stored while a messenger cannot be reached yet; they are
        # handled and answered once it can.
        tasks = [
            asyncio.create_task(once_connected(channel, functools.partial(connect, channel), mailroom.handle_forever,
                                               mailroom.deliver_forever, mailroom.keep_files_forever))
            for channel in channels
        ]
        spare_the_collector()
        try:
            yield
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            for channel in channels:
                await channel.stop()

    return Starlette(
        routes=[
            Route("/healthz", healthz, methods=["GET"]),
            Route("/files/{digest}/{expires}/{signature}/{name}", published_file, methods=["GET"]),
            Mount("/web", create_desk(settings.database_url, settings.evidence_dir, settings.timezone)),
            Route("/{channel}", receive, methods=["POST"]),
        ],
        lifespan=lifespan,
    )


def server_config(settings: Settings, app, **options):
    """Uvicorn on TOCDS_LISTEN, quiet: no access log (a sign-in link's path would be in it)."""
    import uvicorn

    host, _, port = settings.listen.rpartition(":")
    return uvicorn.Config(app, host=host or "127.0.0.1", port=int(port), log_level="warning", access_log=False,
                          **options)


def serve(settings: Settings, channels: list[Channel]) -> None:
    import uvicorn

    uvicorn.Server(server_config(settings, create_app(settings, channels))).run()


def desk_server(settings: Settings):
    """`tocds run`'s web desk under /web/ on TOCDS_LISTEN, when that is set (a commune on long
    polling has the desk too); None otherwise."""
    if "listen" not in settings.model_fields_set:
        return None
    import uvicorn

    app = Starlette(routes=[Mount("/web", create_desk(settings.database_url, settings.evidence_dir, settings.timezone))])
    return uvicorn.Server(server_config(settings, app, lifespan="off"))
