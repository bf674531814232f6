"""What every channel shares: store updates, handle them once, deliver replies with retries.

    messenger ──fetch/webhook──▶ inbox row (committed; only then confirmed to the messenger)
              handle: the handlers' transaction also marks the row handled and writes the
              replies to the outbox
    outbox row ──send──▶ messenger, retried on Throttled / temporary Failed, dropped on Blocked

The database does the bookkeeping, so any number of processes may share it: an inbox row
is handled under a row lock (PostgreSQL) and outbox rows are leased before sending. The
senders also look, every few seconds, for announcements whose last chat is sent or given
up, and queue each one's delivery report to its sender, once.
"""

import asyncio
import logging
import time
from collections import defaultdict
from collections.abc import Awaitable, Callable, Collection
from datetime import UTC, datetime, timedelta
from functools import partial

from sqlalchemy import func, true, update
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlmodel import Session, select

from ..handlers.announcement_mail import delivery_reports
from ..handlers.context import Defaults
from ..handlers.dispatch import SAVE_FAILED, handle
from ..handlers.messages import Outgoing
from ..locales import translator
from ..models import ChannelAccount, InboxUpdate, OutboxMessage
from ..models.announcements import finished_unreported
from ..models.db import get_engine, get_writer
from ..models.mailbox import queue
from ..models.types import utcnow
from .channels import Blocked, Channel, Failed, Throttled
from .evidence_files import EvidenceFiles

log = logging.getLogger(__name__)

LEASE = timedelta(seconds=60)  # an outbox row claimed by a process that died is retried after this
MAX_ATTEMPTS = 8  # temporary failures before a reply is given up
MAX_HANDLING_FAILURES = 5  # failed tries before an update is given up
BACKOFF_CAP = 300.0  # seconds between a reply's retries at most
OUTAGE_CAP = 15.0  # seconds between looks at a database (or messenger) that is away: back soon after it is
CLAIM_BATCH = 200
IDLE_WAKE = 5.0  # seconds between looks at the outbox when nothing wakes the sender
REPORT_EVERY = 2.0  # seconds between looks for announcements whose last chat went (their delivery reports)


def by_chat(rows: list[OutboxMessage]) -> dict[str, list[OutboxMessage]]:
    chats: dict[str, list[OutboxMessage]] = defaultdict(list)
    for row in rows:
        chats[row.chat_id].append(row)
    return chats


def padded(values: Collection) -> list:
    """`values` lengthened to a power of two by repeating the last one, for an IN list.

    The list's length is part of the SQL text, and SQLite keeps every text it prepared
    (up to 128 a connection, ~0.2 KB a value): padded, a claim needs a few texts rather
    than one per length, which held megabytes in each pooled connection.
    """
    values = list(values)
    if not values:
        return values
    return values + values[-1:] * ((1 << (len(values) - 1).bit_length()) - len(values))


def backoff(attempts: int, cap: float = BACKOFF_CAP) -> float:
    return min(2.0 ** attempts, cap)


class Mailroom:
    def __init__(self, database_url: str, defaults: Defaults, clock: Callable[[], datetime] = utcnow):
        self.engine = get_writer(database_url)
        self.reader = get_engine(database_url)
        self.defaults = defaults
        self.clock = clock
        self.outbox_ready: dict[str, asyncio.Event] = defaultdict(asyncio.Event)
        self.inbox_ready: dict[str, asyncio.Event] = defaultdict(asyncio.Event)
        self.files_ready: dict[str, asyncio.Event] = defaultdict(asyncio.Event)
        self.files = EvidenceFiles(self.engine, defaults.evidence_dir)

    def session(self) -> Session:
        return Session(self.engine, expire_on_commit=False)

    # The inbox ----------------------------------------------------------------------

    def store(self, channel: Channel, payloads: list[dict]) -> list[int]:
        """Commits the updates not seen before; returns their inbox ids in order."""
        stored = []
        with self.session() as session:
            for payload in payloads:
                row = InboxUpdate(channel=channel.name, update_key=channel.update_key(payload), payload=payload)
                try:
                    with session.begin_nested():
                        session.add(row)
                except IntegrityError:
                    continue  # delivered before: stored once
                stored.append(row.id)
            session.commit()
        return stored

    def unhandled(self, channel: Channel) -> list[int]:
        with self.session() as session:
            return list(session.exec(
                select(InboxUpdate.id)
                .where(InboxUpdate.channel == channel.name, InboxUpdate.handled_at.is_(None))
                .order_by(InboxUpdate.id)
            ).all())

    def handle_stored(self, channel: Channel, inbox_id: int) -> dict | None:
        """Handles one stored update unless another process has or is handling it.

        Returns its payload when this call handled it.
        """
        with self.session() as session:
            row = session.exec(
                select(InboxUpdate)
                .where(InboxUpdate.id == inbox_id, InboxUpdate.handled_at.is_(None))
                .with_for_update(skip_locked=True)
            ).first()
            if row is None:
                return None
            now = self.clock()
            incoming = channel.to_incoming(row.payload)

            def record(replies: list[Outgoing]) -> None:
                row.handled_at = now
                session.add(row)
                for reply in replies:
                    queue(session, channel.name, incoming.chat_id, reply.to_dict(), inbox_id=row.id, created_at=now)

            if incoming is None:
                record([])
                session.commit()
            else:
                handle(session, incoming, now, self.defaults, before_commit=record)
            payload = row.payload
        self.outbox_ready[channel.name].set()
        if incoming is not None and incoming.attachment:
            self.files_ready[channel.name].set()  # a photo or file may wait to be fetched
        return payload

    def count_failure(self, channel: Channel, inbox_id: int, error: Exception) -> bool:
        """Notes a failed try; after too many, gives the update up: marked handled, with why,
        and answered with an apology when the database failed (an update the channel cannot
        map names no chat to answer). True: given up."""
        with self.session() as session:
            row = session.get(InboxUpdate, inbox_id)
            row.failures += 1
            gave_up = row.failures >= MAX_HANDLING_FAILURES
            if gave_up:
                row.handled_at = self.clock()
                row.gave_up = f"{type(error).__name__}: {error}"[:200]
                incoming = channel.to_incoming(row.payload) if isinstance(error, SQLAlchemyError) else None
                if incoming is not None:
                    apology = translator(self.defaults.language)(SAVE_FAILED)
                    queue(session, channel.name, incoming.chat_id, Outgoing(apology).to_dict(), inbox_id=row.id)
            session.add(row)
            session.commit()
        return gave_up

    async def handle_all(self, channel: Channel) -> int:
        """Handles every stored, unhandled update of the channel, oldest first.

        A failure — the database's, or an update the channel cannot map — stops the round
        (later updates wait, keeping each chat's order) and is raised for the caller to back
        off, until the update is given up and the round goes on without it.
        """
        handled = 0
        for inbox_id in await asyncio.to_thread(self.unhandled, channel):
            try:
                payload = await asyncio.to_thread(self.handle_stored, channel, inbox_id)
            except Exception as error:
                if not await asyncio.to_thread(self.count_failure, channel, inbox_id, error):
                    raise
                log.error("gave up %s update %d after %d failures", channel.name, inbox_id, MAX_HANDLING_FAILURES,
                          exc_info=error, extra={"channel": channel.name, "inbox_id": inbox_id})
                continue
            if payload is not None:
                handled += 1
                try:
                    await channel.acknowledge(payload)
                except Exception:  # a spinner left turning is no reason to stop
                    log.warning("could not acknowledge a %s update", channel.name, exc_info=True)
        return handled

    async def handle_forever(self, channel: Channel) -> None:
        """For webhooks: handles what arrives, and what other workers left behind."""
        await self.keep_working(f"{channel.name} inbox", lambda: self.handle_all(channel),
                                self.inbox_ready[channel.name])

    # The outbox -------------------------------------------------------------------------

    def claim(self, channel: Channel, busy: Collection[str] = (), limit: int = CLAIM_BATCH) -> list[OutboxMessage]:
        """Leases the due, unsent replies of the channel, oldest first (none of the `busy`
        chats: their sender claims their next replies once it is done with these)."""
        now = self.clock()
        with self.session() as session:
            rows = list(session.exec(
                select(OutboxMessage)
                .where(
                    OutboxMessage.channel == channel.name,
                    OutboxMessage.sent_at.is_(None),
                    OutboxMessage.gave_up.is_(None),
                    (OutboxMessage.next_attempt_at.is_(None)) | (OutboxMessage.next_attempt_at <= now),
                    OutboxMessage.chat_id.not_in(padded(busy)) if busy else true(),
                )
                .order_by(OutboxMessage.id)
                .limit(limit)
                .with_for_update(skip_locked=True)
            ).all())
            if rows:
                session.execute(
                    update(OutboxMessage)
                    .where(OutboxMessage.id.in_(padded([r.id for r in rows])))
                    .values(next_attempt_at=now + LEASE)
                )
            session.commit()
        return rows

    def release_claims(self, channel: Channel) -> int:
        """Makes every unsent reply of the channel due now, claimed or held until later.

        For a process that is the channel's only sender (`tocds run`) at its start: replies
        a killed predecessor had leased would otherwise wait out LEASE, and go out after the
        chat's later replies. Not for webhook workers, whose leases may belong to live peers.
        """
        with self.session() as session:
            released = session.execute(
                update(OutboxMessage)
                .where(
                    OutboxMessage.channel == channel.name,
                    OutboxMessage.sent_at.is_(None),
                    OutboxMessage.gave_up.is_(None),
                    OutboxMessage.next_attempt_at.is_not(None),
                )
                .values(next_attempt_at=None)
            ).rowcount
            session.commit()
        return released

    def next_due_in(self, channel: Channel) -> float | None:
        """Seconds until the channel's next unsent reply is due; None when nothing waits."""
        with self.session() as session:
            due = session.exec(
                select(func.min(func.coalesce(OutboxMessage.next_attempt_at, OutboxMessage.created_at)))
                .where(OutboxMessage.channel == channel.name, OutboxMessage.sent_at.is_(None),
                       OutboxMessage.gave_up.is_(None))
            ).first()
        if due is None:
            return None
        if isinstance(due, str):  # SQLite hands aggregates back untyped
            due = datetime.fromisoformat(due).replace(tzinfo=UTC)
        return max((due - self.clock()).total_seconds(), 0.0)

    def settle(self, row: OutboxMessage, **values) -> None:
        with self.session() as session:
            session.execute(update(OutboxMessage).where(OutboxMessage.id == row.id).values(**values))
            session.commit()

    def mark_blocked(self, channel: Channel, chat_id: str) -> None:
        with self.session() as session:
            session.execute(
                update(ChannelAccount)
                .where(ChannelAccount.channel == channel.name, ChannelAccount.external_id == chat_id)
                .values(blocked_at=self.clock())
            )
            session.commit()

    async def surely(self, write: Callable, *args, **values) -> None:
        """A bookkeeping write after a send, retried until the database takes it: a reply
        that went out must be marked before the chat's next one goes, or it would go again,
        after the next."""
        failures = 0
        while True:
            try:
                return await asyncio.to_thread(write, *args, **values)
            except SQLAlchemyError:
                failures += 1
                log.warning("outbox bookkeeping failed (attempt %d); trying again", failures, exc_info=True)
                await asyncio.sleep(backoff(failures, OUTAGE_CAP))

    async def send_chat(self, channel: Channel, rows: list[OutboxMessage]) -> None:
        """Sends one chat's replies in order; a failure holds back the ones after it."""
        for position, row in enumerate(rows):
            try:
                await channel.send(row.chat_id, Outgoing.from_dict(row.payload))
            except Throttled as throttled:
                retry = self.clock() + timedelta(seconds=throttled.retry_after)
                await self.hold(rows[position:], retry)
                return
            except Blocked as blocked:
                log.info("%s chat of outbox message %d blocked the bot: %s", channel.name, row.id, blocked,
                         extra={"channel": channel.name, "outbox_id": row.id})
                await self.surely(self.mark_blocked, channel, row.chat_id)
                for rest in rows[position:]:
                    await self.surely(self.settle, rest, gave_up="blocked")
                return
            except Failed as failed:
                attempts = row.attempts + 1
                if not failed.temporary or attempts >= MAX_ATTEMPTS:
                    log.error("giving up %s outbox message %d: %s", channel.name, row.id, failed,
                              extra={"channel": channel.name, "outbox_id": row.id})
                    await self.surely(self.settle, row, attempts=attempts, gave_up=str(failed)[:200])
                    continue
                log.warning("%s send failed (%s), attempt %d", channel.name, failed, attempts,
                            extra={"channel": channel.name, "outbox_id": row.id})
                retry = self.clock() + timedelta(seconds=backoff(attempts))
                await self.surely(self.settle, row, attempts=attempts)
                await self.hold(rows[position:], retry)
                return
            await self.surely(self.settle, row, sent_at=self.clock(), attempts=row.attempts + 1)

    async def hold(self, rows: list[OutboxMessage], until: datetime) -> None:
        for row in rows:
            await self.surely(self.settle, row, next_attempt_at=until)

    def report_deliveries(self) -> set[str]:
        """Queues the delivery report of each announcement whose last chat has been sent or
        given up (once, whichever sender of which process looks); returns their channels.
        Looked for without the write lock, which only a report to queue takes."""
        with Session(self.reader) as session:
            if not finished_unreported(session):
                return set()
        with self.session() as session:
            rows = delivery_reports(session, self.clock())
            session.commit()
        return {row.channel for row in rows}

    async def queue_reports(self) -> None:
        for name in await asyncio.to_thread(self.report_deliveries):
            self.outbox_ready[name].set()

    async def deliver_due(self, channel: Channel) -> int:
        """Sends every due reply once: chats in parallel, each chat in order; then the
        delivery reports of the announcements that are out."""
        rows = await asyncio.to_thread(self.claim, channel)
        await asyncio.gather(*(self.send_chat(channel, chat_rows) for chat_rows in by_chat(rows).values()))
        await self.queue_reports()
        return len(rows)

    async def deliver_forever(self, channel: Channel) -> None:
        """Sends replies as they come: one task per chat keeps that chat's order, and a chat
        that waits (its 1/s pace, a 429) holds up no other chat."""
        ready = self.outbox_ready[channel.name]
        sending: dict[str, asyncio.Task] = {}
        in_flight: dict[str, int] = {}  # chat -> its replies leased and not yet settled

        def finished(chat_id: str, task: asyncio.Task) -> None:
            sending.pop(chat_id, None)
            in_flight.pop(chat_id, None)
            if not task.cancelled() and task.exception() is not None:
                log.error("%s outbox: sending failed", channel.name, exc_info=task.exception(),
                          extra={"channel": channel.name})
            ready.set()  # the chat's next replies may be claimed now

        next_report = 0.0

        async def start_senders() -> int:
            nonlocal next_report
            if time.monotonic() >= next_report:
                next_report = time.monotonic() + REPORT_EVERY
                await self.queue_reports()
            # Never more leased than a few seconds' sending: a lease must outlive its wait.
            room = CLAIM_BATCH - sum(in_flight.values())
            if room <= 0:
                return 0
            rows = await asyncio.to_thread(self.claim, channel, list(sending), room)
            for chat_id, chat_rows in by_chat(rows).items():
                in_flight[chat_id] = len(chat_rows)
                sending[chat_id] = asyncio.create_task(self.send_chat(channel, chat_rows))
                sending[chat_id].add_done_callback(partial(finished, chat_id))
            return len(rows)

        try:
            await self.keep_working(f"{channel.name} outbox", start_senders, ready)
        finally:
            for task in list(sending.values()):
                task.cancel()

    async def keep_working(self, what: str, work: Callable[[], Awaitable[int]], ready: asyncio.Event) -> None:
        """Runs `work` while it finds something to do, then waits to be woken (or IDLE_WAKE).

        A failure (the database went away) backs off and tries again: what waits in the
        inbox or outbox is not lost meanwhile.
        """
        failures = 0
        while True:
            ready.clear()
            try:
                done = await work()
                failures = 0
            except Exception:
                failures += 1
                log.exception("%s unavailable", what)
                await asyncio.sleep(backoff(failures, OUTAGE_CAP))
                continue
            if done:
                continue
            try:
                await asyncio.wait_for(ready.wait(), IDLE_WAKE)
            except TimeoutError:
                pass

    async def keep_files_forever(self, channel: Channel) -> None:
        """Fetches the evidence files members send, once their messages are handled."""
        await self.keep_working(f"{channel.name} evidence files", lambda: self.files.collect(channel),
                                self.files_ready[channel.name])

    # Polling ----------------------------------------------------------------------------

    async def poll_forever(self, channel: Channel) -> None:
        """Fetch, store, confirm, handle: nothing is confirmed to the messenger unstored."""
        failures = 0
        payloads: list[dict] = []
        while True:
            try:
                if payloads:  # stored before they are confirmed, even after a failure
                    await asyncio.to_thread(self.store, channel, payloads)
                    channel.confirm(payloads)
                    payloads = []
                await self.handle_all(channel)
                payloads = await channel.fetch()
                failures = 0  # after the fetch: a poll that keeps failing backs off
            except Exception as error:
                failures += 1
                wait = backoff(failures, OUTAGE_CAP)
                if isinstance(error, Failed) and error.temporary:  # the network's fault: its cause, no traceback
                    log.warning("%s polling failed (attempt %d), trying again in %.0f s", channel.name, failures,
                                wait, extra={"cause": str(error)})
                else:
                    log.exception("%s polling failed (attempt %d)", channel.name, failures)
                await asyncio.sleep(wait)
