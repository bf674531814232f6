"""Every few minutes: the one reminder an announcement's sender chose (`/thongbao`, "Nhắc sau 1
ngày"), to those who have not acknowledged it and are still in its audience.

An announcement's `reminded_at` is set in the run's transaction, only where it is unset: the
reminder goes once whatever runs it (the scheduler, `tocds jobs run`, the sender's "Nhắc
ngay"). A run in the quiet hours holds its messages until 06:30, as every job's.
"""

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlmodel import Session

from ..handlers.announcement_mail import reminders
from ..models import Level, OrgUnit
from ..models.announcements import reminders_due
from .runner import Delivery, Job

EVERY_MINUTES = 5  # how often the scheduler looks for reminders due


def minute_label(unit: OrgUnit, now: datetime) -> str:
    """`2026-11-26 12:05`: a run per minute at most, in the unit's time."""
    return f"{now.astimezone(ZoneInfo(unit.timezone)):%Y-%m-%d %H:%M}"


def plan(session: Session, unit: OrgUnit, now: datetime) -> list[Delivery]:
    return [Delivery(account.channel, account.external_id, message)
            for announcement in reminders_due(session, now, unit.id)
            for chats in reminders(session, announcement, now).values()
            for account, message in chats]


def units_due(session: Session, now: datetime) -> list[int]:
    """The communes and provinces with a reminder due: the scheduler runs the job for these only."""
    return sorted({announcement.unit_id for announcement in reminders_due(session, now)})


ANNOUNCEMENT_REMINDERS = Job("announcement-reminders", minute_label, plan, levels=(Level.COMMUNE, Level.PROVINCE))
