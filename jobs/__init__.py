"""Scheduled work: reminders, escalations, weekly summaries and alerts.

Each job is a `runner.Job`: the period a run covers, and the messages it plans. `JOBS`
names them as `tocds jobs run NAME` and the scheduler know them.
"""

from .alerts import ALERTS
from .escalation import ESCALATION
from .reminders import REMINDERS
from .summary import WEEKLY_SUMMARY

JOBS = {job.name: job for job in (REMINDERS, ESCALATION, WEEKLY_SUMMARY, ALERTS)}
