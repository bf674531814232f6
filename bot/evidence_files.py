"""Evidence files: fetched from the messenger after the message is handled, kept on disk.

A file is kept under TOCDS_EVIDENCE_DIR as `ab/abcdef….jpg`, named by its SHA-256: the
same photo sent twice is kept once, a name tells nothing about who sent it, and nothing
in that folder is served on the web. Fetching happens outside the handlers' transaction
(it is network I/O), in its own loop beside the inbox and the outbox; a file the
messenger no longer gives is tried a few times, then left for the office to see as
"not here".
"""

import asyncio
import hashlib
import logging
import os
from pathlib import Path

from sqlalchemy import update
from sqlmodel import Session, select

from ..models import Evidence
from ..models.privacy import unlink_unless_kept
from .channels import Channel, SendError

log = logging.getLogger(__name__)

MAX_FETCH_FAILURES = 5
BATCH = 20


def write_whole(path: Path, content: bytes) -> None:
    """Writes a file whole or not at all: a reader (or a crash) never meets half of it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.{os.getpid()}.part")
    partial.write_bytes(content)
    os.replace(partial, path)


def keep(directory: Path, content: bytes, suffix: str) -> tuple[str, str]:
    """Writes the file once; returns its SHA-256 and its path under `directory`."""
    digest = hashlib.sha256(content).hexdigest()
    relative = f"{digest[:2]}/{digest}{suffix}"
    if not (directory / relative).exists():
        write_whole(directory / relative, content)
    return digest, relative


class EvidenceFiles:
    def __init__(self, engine, directory: Path):
        self.engine = engine
        self.directory = Path(directory)

    def waiting(self, channel: Channel) -> list[tuple[int, str]]:
        with Session(self.engine) as session:
            return list(session.exec(
                select(Evidence.id, Evidence.file_ref)
                .where(Evidence.channel == channel.name, Evidence.stored_path.is_(None),
                       Evidence.file_deleted_at.is_(None),  # taken back before it was fetched
                       Evidence.fetch_failures < MAX_FETCH_FAILURES)
                .order_by(Evidence.id).limit(BATCH)
            ).all())

    def record(self, evidence_id: int, digest: str, relative: str, size: int) -> bool:
        """Notes the file kept for the evidence — unless the photo was taken back or erased
        while it was being fetched: it stays deleted, and so does the file just written
        (unless another row keeps the same one). True: recorded."""
        with Session(self.engine) as session:
            recorded = session.execute(
                update(Evidence).where(Evidence.id == evidence_id, Evidence.file_deleted_at.is_(None))
                .values(sha256=digest, stored_path=relative, size=size)).rowcount
            if not recorded:
                unlink_unless_kept(session, self.directory, relative)
            session.commit()
        return bool(recorded)

    async def collect(self, channel: Channel) -> int:
        """Fetches and keeps the channel's evidence files not kept yet; returns how many."""
        kept = 0
        for evidence_id, file_ref in await asyncio.to_thread(self.waiting, channel):
            try:
                content, suffix = await channel.download(file_ref)
            except SendError as problem:
                log.warning("evidence %d: %s could not give the file: %s", evidence_id, channel.name, problem)
                await asyncio.to_thread(self.count_failure, evidence_id)
                continue
            digest, relative = await asyncio.to_thread(keep, self.directory, content, suffix)
            kept += await asyncio.to_thread(self.record, evidence_id, digest, relative, len(content))
        return kept

    def count_failure(self, evidence_id: int) -> None:
        with Session(self.engine) as session:
            session.execute(update(Evidence).where(Evidence.id == evidence_id)
                            .values(fetch_failures=Evidence.fetch_failures + 1))
            session.commit()
