"""Scheduled work: reminders, escalations, weekly summaries and alerts (APScheduler)."""
