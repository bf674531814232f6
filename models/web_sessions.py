"""The web desk's sign-in: one-time links (10 minutes, one use) and server-side sessions
(12 hours). Only a SHA-256 of a token is stored, so the table gives no one a way in. A
session ends as soon as the person's places change (removed, another role): it carries
the places it was opened with."""

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlmodel import Field, Session, SQLModel, select

from .people import Membership
from .types import UTCDateTime, utcnow

LINK_LIFETIME = timedelta(minutes=10)
SESSION_LIFETIME = timedelta(hours=12)


class WebSession(SQLModel, table=True):
    __tablename__ = "web_session"

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=64, unique=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    kind: str = Field(max_length=8, description="link | session")
    places: str = Field(max_length=2000, description="the person's places (unit:role) when it was made")
    csrf: str = Field(default="", max_length=64, description="a session's form token")
    expires_at: datetime = Field(sa_type=UTCDateTime)
    used_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def places_key(session: Session, person_id: int) -> str:
    rows = session.exec(select(Membership.org_unit_id, Membership.role).where(Membership.person_id == person_id)).all()
    return ",".join(sorted(f"{unit}:{role}" for unit, role in rows))


def _issue(session: Session, person_id: int, kind: str, lifetime: timedelta, now: datetime) -> tuple[str, WebSession]:
    token = secrets.token_urlsafe(32)
    row = WebSession(token_hash=_hash(token), person_id=person_id, kind=kind, places=places_key(session, person_id),
                     csrf=secrets.token_urlsafe(24) if kind == "session" else "", expires_at=now + lifetime)
    session.add(row)
    session.flush()
    return token, row


def make_link(session: Session, person_id: int, now: datetime | None = None) -> str:
    """A sign-in token for `/web/login/<token>`."""
    return _issue(session, person_id, "link", LINK_LIFETIME, now or utcnow())[0]


def _valid(session: Session, token: str, kind: str, now: datetime) -> WebSession | None:
    row = session.exec(select(WebSession).where(WebSession.token_hash == _hash(token), WebSession.kind == kind)).first()
    if row is None or row.expires_at <= now or row.used_at is not None:
        return None
    if row.places != places_key(session, row.person_id) or not row.places:
        return None
    return row


def redeem_link(session: Session, token: str, now: datetime | None = None) -> tuple[str, WebSession] | None:
    """The session a valid link opens (its token, its row); the link is spent. None: a link
    that is unknown, used, older than 10 minutes, or of a person whose places changed."""
    now = now or utcnow()
    link = _valid(session, token, "link", now)
    if link is None:
        return None
    link.used_at = now
    session.add(link)
    return _issue(session, link.person_id, "session", SESSION_LIFETIME, now)


def open_session(session: Session, token: str, now: datetime | None = None) -> WebSession | None:
    return _valid(session, token, "session", now or utcnow())


def sign_out(session: Session, row: WebSession, now: datetime | None = None) -> None:
    row.used_at = now or utcnow()
    session.add(row)
