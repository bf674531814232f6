"""Every day: deletes the evidence files kept longer than their commune allows, and the
inbox and outbox rows older than `TOCDS_MAILROOM_KEEP_DAYS`.

The evidence rows stay (hash, size, decision, reviewer), so the counts backed by approved
evidence do not change; the job sends no message.
"""

import logging
from datetime import datetime, timedelta

from sqlmodel import Session

from ..models import OrgUnit
from ..models.mailbox import prune
from ..models.privacy import delete_file, expired
from .alerts import day_label
from .runner import Delivery, Job

log = logging.getLogger(__name__)


def plan(session: Session, commune: OrgUnit, now: datetime) -> list[Delivery]:
    # The folder is the server's setting, not the commune's: read where the bot reads it.
    from ..bot.settings import get_settings

    settings = get_settings()
    old = expired(session, commune, now)
    for evidence in old:
        delete_file(session, settings.evidence_dir, evidence, now)
    if old:
        log.info("evidence-retention for %s: %d files deleted", commune.name, len(old))
    # The mailroom is every commune's: the night's first run prunes it, the others find nothing.
    updates, replies = prune(session, now - timedelta(days=settings.mailroom_keep_days))
    if updates or replies:
        log.info("evidence-retention: %d updates and %d replies older than %d days deleted",
                 updates, replies, settings.mailroom_keep_days)
    return []


EVIDENCE_RETENTION = Job("evidence-retention", day_label, plan)
