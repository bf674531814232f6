"""Who is speaking, what they may see, and where they are in a conversation."""

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

from sqlmodel import Session, select

from ..locales import Translator, translator
from ..models import ChannelAccount, Conversation, Level, OrgUnit, OutboxMessage, Person, Role
from ..models.access import Place, managed_units, places_of
from ..models.mailbox import queue
from ..models.members import zone_of
from ..models.periods import local_date
from ..models.review import notify
from ..models.types import utcnow
from .messages import Choice, Incoming, Outgoing


@dataclass(frozen=True)
class Defaults:
    """What new people and new communes start with (TOCDS_LOCALE, TOCDS_TIMEZONE), and
    where evidence files are kept (TOCDS_EVIDENCE_DIR), where the web desk is (TOCDS_WEB_URL)."""

    language: str = "vi"
    timezone: str = "Asia/Ho_Chi_Minh"
    evidence_dir: Path = Path("evidence")
    web_url: str | None = None  # TOCDS_WEB_URL: where the web desk's sign-in links point


@dataclass
class Context:
    session: Session
    incoming: Incoming
    now: datetime
    defaults: Defaults
    person: Person | None = None
    places: list[Place] = field(default_factory=list)
    conversation: Conversation | None = None
    readings: dict = field(default_factory=dict)  # text -> what the report readers made of it
    _province_communes: list[OrgUnit] | None = None

    @classmethod
    def load(cls, session: Session, incoming: Incoming, now: datetime, defaults: Defaults):
        context = cls(session, incoming, now, defaults)
        context.person = session.exec(
            select(Person)
            .join(ChannelAccount, ChannelAccount.person_id == Person.id)
            .where(
                ChannelAccount.channel == incoming.channel,
                ChannelAccount.external_id == incoming.sender_id,
            )
        ).first()
        if context.person is not None:
            context.places = places_of(session, context.person.id)
            context.conversation = session.get(
                Conversation, (incoming.channel, incoming.chat_id, incoming.sender_id)
            )
        return context

    @property
    def t(self) -> Translator:
        return translator(self.person.locale if self.person else self.defaults.language)

    @property
    def roles(self) -> set[Role]:
        return {place.role for place in self.places}

    def villages(self) -> list[OrgUnit]:
        """The villages this person reports for."""
        return [p.unit for p in self.places if p.unit.level == Level.VILLAGE]

    def communes(self) -> list[OrgUnit]:
        """The communes this person works for (office, leader, admin)."""
        return [p.unit for p in self.places if p.unit.level == Level.COMMUNE]

    def provinces(self) -> list[OrgUnit]:
        """The provinces this person works for (province office, province leader)."""
        return [p.unit for p in self.places if p.unit.level == Level.PROVINCE]

    def province_communes(self) -> list[OrgUnit]:
        """Every commune of this person's provinces, in org-unit order (read once per message)."""
        if self._province_communes is None:
            ids = [p.id for p in self.provinces()]
            self._province_communes = list(self.session.exec(
                select(OrgUnit).where(OrgUnit.parent_id.in_(ids), OrgUnit.level == Level.COMMUNE)
                .order_by(OrgUnit.id)).all()) if ids else []
        return self._province_communes

    def managed_units(self) -> list[OrgUnit]:
        """The units whose people this person manages (`/moi`, `/thanhvien`)."""
        return managed_units(self.session, self.places, self.now, self.defaults.timezone)

    def commune_ids(self) -> list[int]:
        """The communes of every place: a village's, the commune itself, or a province's communes."""
        own = {p.unit.parent_id if p.unit.level == Level.VILLAGE else p.unit.id for p in self.places
               if p.unit.level != Level.PROVINCE}
        return sorted(own | {c.id for c in self.province_communes()})

    def today(self, unit: OrgUnit | None = None) -> date:
        """Today in the time zone of the unit's commune (of the first place when none is named)."""
        return self.local_date(self.now, unit)

    def local_date(self, moment: datetime, unit: OrgUnit | None = None) -> date:
        """The day a UTC moment falls on in the unit's commune (the first place's by default)."""
        unit = unit or (self.places[0].unit if self.places else None)
        return local_date(moment, self.zone(unit) if unit is not None else self.defaults.timezone)

    def zone(self, unit: OrgUnit) -> str:
        """The time zone of the unit's commune (a province: its own), else TOCDS_TIMEZONE."""
        return zone_of(self.session, unit, self.defaults.timezone)

    # Conversation state -------------------------------------------------------

    @property
    def state(self) -> dict:
        return self.conversation.state if self.conversation else {}

    def ask(self, step: str, text: str, choices: Sequence[Choice] = (), lasts: timedelta | None = None,
            **data) -> Outgoing:
        """Reply with a question and remember that the next message answers it. A question that
        `lasts` a while only (an afterthought, never a report waiting to be saved) lapses after
        it: a `1` typed later is not taken for its answer."""
        state = {"step": step, "choices": [[c.label, c.data] for c in choices], **data}
        if lasts is not None:
            state["until"] = (self.now + lasts).isoformat()
        if self.conversation is None:
            self.conversation = Conversation(
                channel=self.incoming.channel,
                chat_id=self.incoming.chat_id,
                sender_id=self.incoming.sender_id,
            )
        self.conversation.state = state
        self.conversation.updated_at = utcnow()
        self.session.add(self.conversation)
        return Outgoing(text, tuple(choices))

    def drop_lapsed_question(self) -> None:
        """Forgets a question whose time (`ask(lasts=…)`) is over."""
        until = self.state.get("until")
        if until is not None and datetime.fromisoformat(until) <= self.now:
            self.finish()

    def notify(self, person_id: int, channel: str, message: Outgoing) -> bool:
        """Queues a message to another person's private chat on that channel, in this
        transaction (it is sent only if what caused it is saved). False: no such chat."""
        return notify(self.session, person_id, channel, message.to_dict())

    def send_to_chat(self, channel: str, chat_id: str, message: Outgoing, wait: datetime | None = None) -> OutboxMessage:
        """Queues a message to any chat in this transaction; `wait`: not before then (quiet hours)."""
        return queue(self.session, channel, chat_id, message.to_dict(), wait=wait)

    def finish(self) -> None:
        """Forget any question in progress."""
        if self.conversation is not None:
            self.session.delete(self.conversation)
            self.conversation = None


StepHandler = Callable[[Context, str], list[Outgoing]]
STEPS: dict[str, StepHandler] = {}


def step(name: str):
    """Registers the handler of a conversation step: it gets the chosen data or the text."""

    def register(handler: StepHandler) -> StepHandler:
        STEPS[name] = handler
        return handler

    return register
