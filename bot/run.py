"""`tocds run` (long polling on every messenger with a token, plus the scheduler) and `tocds scheduler`."""

import asyncio
import functools
import itertools
import logging
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path

from sqlmodel import Session

from ..handlers.commands import menus
from ..jobs.scheduler import Scheduler, run_when_leader
from ..models import ChannelBot
from ..models.db import get_writer, upgrade
from ..models.types import utcnow
from .channels import Channel
from .channels.console import ConsolePrinter
from .logs import add_secret
from .mailroom import Mailroom, backoff
from .runtime import spare_the_collector, use_few_threads
from .settings import Settings

log = logging.getLogger(__name__)

MAX_WAIT_FOR_RETRY = 600.0  # seconds `tocds jobs run` waits for held messages before leaving them
CONNECT_CAP = 60.0  # seconds between start-up attempts at most, while a messenger cannot be reached


def configured_channels(settings: Settings) -> list[Channel]:
    """The one place that knows which messengers exist: a channel runs when its token is set."""
    for secret in (settings.telegram_token, settings.zalo_token, settings.webhook_secret):
        add_secret(secret)  # also when they come from .env: masked in every log line
    channels: list[Channel] = []
    if settings.telegram_token:
        from .channels.telegram import TelegramChannel

        channels.append(TelegramChannel(settings.telegram_token, settings.telegram_api_url))
    if settings.zalo_token:
        from .channels.zalo import ZaloChannel

        channels.append(ZaloChannel(settings.zalo_token, settings.zalo_api_url, publisher=publisher(settings)))
    return channels


def publisher(settings: Settings):
    """Where files for messengers without uploads are linked from: `tocds serve`, when the
    world reaches it (TOCDS_WEBHOOK_URL) and links can be signed (TOCDS_WEBHOOK_SECRET)."""
    if not (settings.webhook_url and settings.webhook_secret):
        return None
    from .published import FOLDER, Publisher

    return Publisher(settings.evidence_dir / FOLDER, settings.webhook_url, settings.webhook_secret)


def remember_username(database_url: str, channel: Channel, username: str) -> None:
    """Kept for what runs without the messenger, e.g. `tocds admin invite` printing join links."""
    with Session(get_writer(database_url)) as session:
        session.merge(ChannelBot(channel=channel.name, username=username, updated_at=utcnow()))
        session.commit()


async def prepare(settings: Settings, channel: Channel) -> None:
    """Connects, and tells the messenger who we are and what we understand."""
    await channel.start()
    if channel.username:
        await asyncio.to_thread(remember_username, settings.database_url, channel, channel.username)
    await channel.set_commands(menus())
    log.info("%s channel ready", channel.name, extra={"channel": channel.name, "bot": channel.username})


async def until_done(what: str, step: Callable[[], Awaitable[None]]) -> None:
    """Start-up work that needs the network, tried until it succeeds: an unattended server may
    boot before its network is up, and must then wait for it, not exit. One log line per
    failed attempt, naming the cause (no traceback: the cause is the network's, not ours)."""
    for attempt in itertools.count(1):
        try:
            await step()
            return
        except Exception as error:
            wait = backoff(attempt, CONNECT_CAP)
            log.warning("%s failed (attempt %d), trying again in %.0f s", what, attempt, wait,
                        extra={"cause": f"{type(error).__name__}: {error}"})
            await asyncio.sleep(wait)


async def once_connected(channel: Channel, connect: Callable[[], Awaitable[None]],
                         *work: Callable[[Channel], Awaitable]) -> None:
    """The channel's `work` (polling, sending), begun once `connect` has succeeded: what needs
    no network (the scheduler, the other channels) is served meanwhile."""
    await until_done(f"{channel.name} start-up", connect)
    await asyncio.gather(*(begin(channel) for begin in work))


async def run(settings: Settings, channels: list[Channel]) -> None:
    use_few_threads()
    upgrade(settings.database_url)
    mailroom = Mailroom(settings.database_url, settings.defaults())

    async def connect(channel: Channel) -> None:
        await prepare(settings, channel)
        await channel.use_polling()
        # Polling allows one process per bot: replies a killed run had claimed are ours now.
        await asyncio.to_thread(mailroom.release_claims, channel)

    printer = ConsolePrinter(sys.stdout)
    scheduler = Scheduler(settings.database_url, sent=lambda: wake_senders(mailroom, [*channels, printer]))
    from .serve import desk_server  # serve.py builds on this module

    desk = desk_server(settings)
    spare_the_collector()
    try:
        await asyncio.gather(run_when_leader(scheduler), mailroom.deliver_forever(printer),
                             *([desk.serve()] if desk else []), *(
            once_connected(channel, functools.partial(connect, channel),
                           mailroom.poll_forever, mailroom.deliver_forever, mailroom.keep_files_forever)
            for channel in channels
        ))
    finally:
        for channel in channels:
            await channel.stop()


def wake_senders(mailroom: Mailroom, channels: list[Channel]) -> None:
    for channel in channels:
        mailroom.outbox_ready[channel.name].set()


async def run_scheduler(settings: Settings, channels: list[Channel]) -> None:
    """`tocds scheduler`: the jobs, and the sending of what they queue, without polling."""
    use_few_threads()
    upgrade(settings.database_url)
    mailroom = Mailroom(settings.database_url, settings.defaults())
    printer = ConsolePrinter(sys.stdout)
    scheduler = Scheduler(settings.database_url, sent=lambda: wake_senders(mailroom, [*channels, printer]))
    spare_the_collector()
    try:
        await asyncio.gather(run_when_leader(scheduler), mailroom.deliver_forever(printer), *(
            once_connected(channel, channel.start, mailroom.deliver_forever)
            for channel in channels
        ))
    finally:
        for channel in channels:
            await channel.stop()


async def deliver_now(settings: Settings, channels: list[Channel], folder: Path | None = None) -> dict[str, str]:
    """Sends what the outbox holds for the given channels (console: printed, its files written
    to `folder`), then returns the channels it could not reach, each with the cause: what was
    queued for them stays in the outbox for `tocds run` or `tocds scheduler`.

    Replies held by a 429 or a retry are waited for; what quiet hours hold until the
    morning is left to the scheduler.
    """
    channels = [*channels, ConsolePrinter(sys.stdout, folder)]
    mailroom = Mailroom(settings.database_url, settings.defaults())
    unreachable = {}
    for channel in channels:
        try:
            await channel.start()
        except Exception as error:  # the network's fault, not ours: said in one line, no traceback
            unreachable[channel.name] = f"{type(error).__name__}: {error}"
            continue
        try:
            while True:
                if await mailroom.deliver_due(channel):
                    continue
                wait = await asyncio.to_thread(mailroom.next_due_in, channel)
                if wait is None or wait > MAX_WAIT_FOR_RETRY:
                    break
                await asyncio.sleep(wait)
        finally:
            await channel.stop()
    return unreachable
