"""Where each person is in a multi-step conversation, kept in the database.

Keyed by channel, chat and sender, so any worker process can take the next message
and members in one group chat do not step on each other.
"""

from datetime import datetime

from sqlalchemy import JSON, Column
from sqlmodel import Field, SQLModel

from .types import UTCDateTime, utcnow


class Conversation(SQLModel, table=True):
    channel: str = Field(primary_key=True, max_length=16)
    chat_id: str = Field(primary_key=True, max_length=64)
    sender_id: str = Field(primary_key=True, max_length=64)
    state: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
