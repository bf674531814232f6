"""Building blocks for tests: a commune with villages, people who chat, a fixed clock."""

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from sqlmodel import Session, select

from tocds.bot.channels import render
from tocds.bot.channels.console import ConsoleChat, sign_in
from tocds.handlers.context import Defaults
from tocds.handlers.dispatch import handle
from tocds.handlers.messages import Incoming, Outgoing
from tocds.models import CommuneWeekTotal, Entry, EntryCount, Level, OrgUnit, Role, Target, VillageTotal
from tocds.models.orgunits import Village
from tocds.models.text import fold

# Wednesday 25 November 2026, 12:00 in Vietnam (UTC+7); ISO week 2026-W48 runs 23–29/11.
NOW = datetime(2026, 11, 25, 5, 0, tzinfo=UTC)
TODAY = date(2026, 11, 25)
MONDAY = date(2026, 11, 23)
DEFAULTS = Defaults(language="vi", timezone="Asia/Ho_Chi_Minh")


@dataclass
class Commune:
    unit: OrgUnit
    villages: dict[str, OrgUnit]


FIGURES = ("households", "population", "adults", "pop15")


def make_commune(session: Session, name: str = "Xã Đồng Phú", villages=None) -> Commune:
    """A commune with two villages (households, population, adults, aged 15+)."""
    villages = villages or {"Thôn Tân Hòa": (100, 400, 300, 320), "Thôn Phú Lợi": (80, 300, 200, 220)}
    unit = OrgUnit(level=Level.COMMUNE, name=name, name_key=fold(name), timezone="Asia/Ho_Chi_Minh")
    session.add(unit)
    session.flush()
    made = {}
    for village, figures in villages.items():
        sizes = {name: value for name, value in zip(FIGURES, figures, strict=True) if value is not None}
        made[village] = OrgUnit(parent_id=unit.id, level=Level.VILLAGE, name=village, name_key=fold(village),
                                sizes=sizes)
        session.add(made[village])
    session.commit()
    return Commune(unit, made)


def make_province(session: Session, name: str, communes: list[Commune]) -> OrgUnit:
    """A province over communes made with `make_commune`."""
    unit = OrgUnit(level=Level.PROVINCE, name=name, name_key=fold(name), timezone="Asia/Ho_Chi_Minh")
    session.add(unit)
    session.flush()
    for commune in communes:
        commune.unit.parent_id = unit.id
        session.add(commune.unit)
    session.commit()
    return unit


class Chatter:
    """One person chatting on the console channel; `say` returns the replies' texts."""

    def __init__(self, session: Session, name: str, units: list[OrgUnit], role: Role, language="vi"):
        for unit in units:
            sign_in(session, name, unit, role, language, DEFAULTS)
        self.chat = ConsoleChat(session, name, DEFAULTS)
        self.session = session
        self.last: list[Outgoing] = []

    def say(self, text: str, now: datetime = NOW) -> str:
        self.last = self.chat.send(text, now)
        return "\n".join(render(reply) for reply in self.last)


def incoming(sender: str, text: str, message_id: str, channel="console", **extra) -> Incoming:
    """A message from `sender`, in their private chat unless `chat_id` names a group."""
    fields = {"sender_name": sender, "chat_id": sender, **extra}
    fields.setdefault("is_group", fields["chat_id"] != sender)
    return Incoming(channel=channel, sender_id=sender, message_id=message_id, text=text, **fields)


def send(session: Session, message: Incoming, now: datetime = NOW) -> list[Outgoing]:
    return handle(session, message, now, DEFAULTS)


def fresh(session: Session) -> Session:
    """Ends the session's transaction: SQLite keeps a transaction's snapshot of the file."""
    session.rollback()
    session.expire_all()
    return session


def live_entry_counts(session: Session, village: OrgUnit | Village | None = None) -> list[EntryCount]:
    """The counts not taken back, as stored (of one village, or all): the tests' independent
    reckoning adds these up in Python."""
    query = select(EntryCount).where(EntryCount.deleted_at.is_(None))
    if village is not None:
        query = query.where(EntryCount.village_id == village.id)
    return list(session.exec(query).all())


def live_counts(session: Session, village: OrgUnit | None = None) -> dict[str, int]:
    """Live counts per indicator, added up in Python."""
    totals: dict[str, int] = {}
    for count in live_entry_counts(session, village):
        totals[count.indicator_key] = totals.get(count.indicator_key, 0) + count.count
    return totals


def totals_drift(session: Session) -> dict[tuple, tuple[int, int]]:
    """Where a running total and the live counts added up in Python differ: (village, indicator)
    and (commune, week's Monday, indicator) → (running total, counted)."""
    kept = {(t.village_id, t.indicator_key): t.total for t in session.exec(select(VillageTotal)).all()}
    kept |= {(t.commune_id, t.week_start, t.indicator_key): t.total for t in session.exec(select(CommuneWeekTotal)).all()}
    parents = dict(session.exec(select(OrgUnit.id, OrgUnit.parent_id)).all())
    counted: dict[tuple, int] = {}
    for count in live_entry_counts(session):
        monday = count.day - timedelta(days=count.day.weekday())
        for pair in ((count.village_id, count.indicator_key), (parents[count.village_id], monday, count.indicator_key)):
            counted[pair] = counted.get(pair, 0) + count.count
    return {pair: (kept.get(pair, 0), counted.get(pair, 0)) for pair in kept.keys() | counted.keys()
            if kept.get(pair, 0) != counted.get(pair, 0)}


def entry_total(session: Session) -> int:
    return len(session.exec(select(Entry)).all())


def add_target(session: Session, unit: OrgUnit, key: str, *, baseline=0, percent=None, count=None,
               start=date(2026, 1, 1), deadline=date(2026, 12, 31)) -> Target:
    target = Target(org_unit_id=unit.id, indicator_key=key, baseline=baseline,
                    target_percent=percent, target_count=count, start=start, deadline=deadline)
    session.add(target)
    session.commit()
    return target


def days_ago(n: int) -> datetime:
    return NOW - timedelta(days=n)
