"""People, their messenger accounts, their roles in org units, and invites."""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from .types import UTCDateTime, utcnow


class Role(StrEnum):
    MEMBER = "member"
    VILLAGE_LEADER = "village_leader"
    OFFICE = "office"
    LEADER = "leader"
    ADMIN = "admin"
    PROVINCE_OFFICE = "province_office"
    PROVINCE_LEADER = "province_leader"


VILLAGE_ROLES = (Role.MEMBER, Role.VILLAGE_LEADER)
COMMUNE_ROLES = (Role.OFFICE, Role.LEADER, Role.ADMIN)
PROVINCE_ROLES = (Role.PROVINCE_OFFICE, Role.PROVINCE_LEADER)  # read their communes' figures, report nothing


class Person(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200)
    locale: str = Field(default="vi", max_length=8)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class ChannelAccount(SQLModel, table=True):
    __tablename__ = "channel_account"
    __table_args__ = (UniqueConstraint("channel", "external_id"),)

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    channel: str = Field(max_length=16)
    external_id: str = Field(max_length=64)
    blocked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class Membership(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("person_id", "org_unit_id"),)

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    org_unit_id: int = Field(foreign_key="org_unit.id", index=True)
    role: str = Field(max_length=16)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Invite(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=32, unique=True)
    org_unit_id: int = Field(foreign_key="org_unit.id")
    role: str = Field(max_length=16)
    uses_left: int
    expires_at: datetime = Field(sa_type=UTCDateTime)
    created_by: int | None = Field(default=None, foreign_key="person.id")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class MembershipEvent(SQLModel, table=True):
    """Who removed a person, changed a role, left, or stopped another's subscription, and when.

    Beside `audit` (which is about counts and points at one) rather than in it: these
    changes have no count, and a removed membership is gone, so the row keeps the unit,
    the person and the roles itself.
    """

    __tablename__ = "membership_event"

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    commune_id: int = Field(foreign_key="org_unit.id", index=True)
    unit_id: int = Field(foreign_key="org_unit.id", description="the village or commune of the place")
    person_id: int = Field(foreign_key="person.id", description="whose place or subscription changed")
    by_id: int | None = Field(default=None, foreign_key="person.id", description="who did it; None: the operator's CLI")
    action: str = Field(max_length=16, description="removed | role | left | unsubscribed")
    old_role: str | None = Field(default=None, max_length=16)
    new_role: str | None = Field(default=None, max_length=16)
    chat: str = Field(default="", max_length=96, description="unsubscribed: the channel and chat")
