"""Every day: deletes the evidence files kept longer than their commune allows.

The rows stay (hash, size, decision, reviewer), so the counts backed by approved evidence
do not change; the job sends no message.
"""

import logging
from datetime import datetime

from sqlmodel import Session

from ..models import OrgUnit
from ..models.privacy import delete_file, expired
from .alerts import day_label
from .runner import Delivery, Job

log = logging.getLogger(__name__)


def plan(session: Session, commune: OrgUnit, now: datetime) -> list[Delivery]:
    # The folder is the server's setting, not the commune's: read where the bot reads it.
    from ..bot.settings import get_settings

    directory = get_settings().evidence_dir
    old = expired(session, commune, now)
    for evidence in old:
        delete_file(session, directory, evidence, now)
    if old:
        log.info("evidence-retention for %s: %d files deleted", commune.name, len(old))
    return []


EVIDENCE_RETENTION = Job("evidence-retention", day_label, plan)
