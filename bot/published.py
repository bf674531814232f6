"""Files published under an expiring, signed URL, for messengers that take no uploads.

Zalo sends pictures by URL and has no documents at all, so a chart or a spreadsheet for
a Zalo chat is written here and linked as

    {TOCDS_WEBHOOK_URL}/files/{sha256}/{expires}/{signature}/{name}

which `tocds serve` answers until `expires` (a Unix time) and only with the right
HMAC signature (TOCDS_WEBHOOK_SECRET): a link cannot be guessed, changed or kept alive.
Only what the bot sends is published: charts, spreadsheets, and an evidence photo when
the office reviews it on Zalo — never the evidence folder itself.
"""

import contextlib
import hashlib
import hmac
import os
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from .evidence_files import write_whole

LIFETIME = 7 * 24 * 3600  # seconds a link works: a week, long enough to open Monday's report
FOLDER = "published"


class NotPublished(Exception):
    """A link that is forged or points at nothing."""


class Expired(NotPublished):
    """A link that was good, and is no more."""


@dataclass(frozen=True)
class Publisher:
    directory: Path  # where the files are kept (TOCDS_EVIDENCE_DIR/published/)
    base_url: str  # TOCDS_WEBHOOK_URL: what the world reaches `tocds serve` by
    secret: str  # TOCDS_WEBHOOK_SECRET

    def signature(self, digest: str, expires: int, name: str) -> str:
        message = f"{digest}:{expires}:{name}".encode()
        return hmac.new(self.secret.encode(), message, hashlib.sha256).hexdigest()[:32]

    def publish(self, name: str, content: bytes, now: float | None = None) -> str:
        """Writes the file (once per content) and returns its link."""
        now = now or time.time()
        digest = hashlib.sha256(content).hexdigest()
        path = self.directory / digest
        if not path.exists():
            write_whole(path, content)
        os.utime(path, (now, now))  # kept as long as the newest link to it lives
        self.forget_expired(now)
        expires = int(now + LIFETIME)
        signature = self.signature(digest, expires, name)
        return f"{self.base_url.rstrip('/')}/files/{digest}/{expires}/{signature}/{quote(name)}"

    def forget_expired(self, now: float) -> None:
        """Deletes what no valid link names any more (published longer ago than LIFETIME)."""
        for old in self.directory.iterdir():
            with contextlib.suppress(OSError):  # another process deleted it first
                if old.stat().st_mtime < now - LIFETIME:
                    old.unlink()

    def open(self, digest: str, expires: str, signature: str, name: str, now: float | None = None) -> Path:
        """The published file a link names; NotPublished if it is not valid now."""
        if not (expires.isdigit() and len(digest) == 64 and all(c in "0123456789abcdef" for c in digest)):
            raise NotPublished("malformed link")
        if not hmac.compare_digest(signature, self.signature(digest, int(expires), name)):
            raise NotPublished("bad signature")
        if int(expires) < (now or time.time()):
            raise Expired("expired")
        path = self.directory / digest
        if not path.is_file():
            raise NotPublished("gone")
        return path
