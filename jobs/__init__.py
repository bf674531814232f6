"""Scheduled work: reminders, escalations, weekly summaries, alerts, period reports and
reminders of the reports due at the level above; every day, evidence files past their keeping
period are deleted, and the inbox and outbox rows older than `TOCDS_MAILROOM_KEEP_DAYS`; every
few minutes, the reminders announcements' senders chose.

Each job is a `runner.Job`: the period a run covers, and the messages it plans. `JOBS`
names them as `tocds jobs run NAME` and the scheduler know them.
"""

from .alerts import ALERTS
from .announcement_reminders import ANNOUNCEMENT_REMINDERS
from .deadline_reminders import DEADLINE_REMINDERS
from .escalation import ESCALATION
from .evidence_retention import EVIDENCE_RETENTION
from .period_report import PERIOD_REPORT
from .reminders import REMINDERS
from .summary import WEEKLY_SUMMARY

JOBS = {job.name: job for job in (REMINDERS, ESCALATION, WEEKLY_SUMMARY, ALERTS, PERIOD_REPORT, DEADLINE_REMINDERS,
                                  EVIDENCE_RETENTION, ANNOUNCEMENT_REMINDERS)}
