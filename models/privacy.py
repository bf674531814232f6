"""Personal data in evidence: how long a file is kept, and who looked at it.

A photo shows citizens (an ID card, a VNeID screen, a family at home), so it is kept only
as long as its purpose needs: until `OrgUnit.evidence_keep_days` after its decision, or,
never reviewed, after the deadline of its month's report plus those days. Deleting the
file keeps the row (hash, size, decision, reviewer), so counts "backed by approved
evidence" stay true; every time a file is shown is an `EvidenceView`.
"""

from datetime import date, datetime, timedelta
from pathlib import Path

from sqlmodel import Field, Session, SQLModel, select

from .deadlines import ReportDeadline
from .due_dates import due_date, parse_due
from .entries import Entry, Evidence
from .orgunits import OrgUnit
from .people import Person
from .periods import containing, local_date
from .types import UTCDateTime, utcnow

DEFAULT_KEEP_DAYS = 365


class EvidenceView(SQLModel, table=True):
    """One showing of an evidence file: to whom (None: whoever opened a published link), how, when."""

    __tablename__ = "evidence_view"

    id: int | None = Field(default=None, primary_key=True)
    evidence_id: int = Field(foreign_key="evidence.id", index=True)
    person_id: int | None = Field(default=None, foreign_key="person.id")
    via: str = Field(max_length=32, description="/duyet on telegram | /duyet on zalo | zalo link | web")
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


def record_view(session: Session, evidence: Evidence, person: Person | None, via: str,
                now: datetime | None = None) -> None:
    """Notes that `person` saw the evidence's file `via` a screen or link (the caller commits)."""
    session.add(EvidenceView(evidence_id=evidence.id, person_id=person.id if person else None, via=via[:32],
                             at=now or utcnow()))


def commune_of(session: Session, evidence: Evidence) -> OrgUnit:
    village = session.get(OrgUnit, session.get(Entry, evidence.entry_id).village_id)
    return session.get(OrgUnit, village.parent_id)


def month_deadline(session: Session, commune: OrgUnit, day: date) -> date:
    """The day the report of `day`'s month is due (the commune's monthly deadline; without
    one, the month's last day)."""
    month = containing("month", day)
    deadline = session.exec(select(ReportDeadline).where(ReportDeadline.unit_id == commune.id,
                                                         ReportDeadline.period_kind == "month")).first()
    return due_date(parse_due("month", deadline.due), month) if deadline else month.last


def kept_until(session: Session, evidence: Evidence, commune: OrgUnit) -> date:
    """The last day the file is kept (in the commune's time zone)."""
    keep = timedelta(days=commune.evidence_keep_days)
    if evidence.reviewed_at is not None:
        return local_date(evidence.reviewed_at, commune.timezone) + keep
    entry = session.get(Entry, evidence.entry_id)
    return month_deadline(session, commune, entry.day) + keep


def files_of(session: Session, commune: OrgUnit) -> list[Evidence]:
    """The commune's evidence whose file is still kept, oldest first."""
    return list(session.exec(
        select(Evidence).join(Entry, Entry.id == Evidence.entry_id).join(OrgUnit, OrgUnit.id == Entry.village_id)
        .where(OrgUnit.parent_id == commune.id, Evidence.stored_path.is_not(None))
        .order_by(Evidence.received_at, Evidence.id)
    ).all())


def expired(session: Session, commune: OrgUnit, now: datetime) -> list[Evidence]:
    """The commune's kept files past their keeping period on `now`."""
    today = local_date(now, commune.timezone)
    return [e for e in files_of(session, commune) if kept_until(session, e, commune) < today]


def delete_file(session: Session, directory: Path, evidence: Evidence, now: datetime) -> None:
    """Deletes the evidence's file but keeps its row; the same photo sent again by someone
    else (one file, one hash) stays while another row still keeps it. The caller commits."""
    relative = evidence.stored_path
    evidence.stored_path, evidence.file_deleted_at = None, now
    session.add(evidence)
    session.flush()
    if relative is None:
        return
    still_kept = session.exec(select(Evidence.id).where(Evidence.stored_path == relative)).first()
    if still_kept is None:
        (Path(directory) / relative).unlink(missing_ok=True)


def link_opened(session: Session, digest: str, now: datetime) -> bool:
    """Records a view of the evidence a published link (by the file's SHA-256) shows; False
    when that file is evidence no longer kept, whose published copy must not be shown either."""
    rows = session.exec(select(Evidence).where(Evidence.sha256 == digest)).all()
    kept = [evidence for evidence in rows if evidence.stored_path is not None]
    for evidence in kept:
        record_view(session, evidence, None, "zalo link", now)
    session.commit()
    return bool(kept) or not rows


def views_of(session: Session, commune_ids: list[int], limit: int | None):
    """The latest views of the communes' evidence, newest first: (view, viewer's name or
    None, village name, the entry's day)."""
    return session.exec(
        select(EvidenceView, Person.name, OrgUnit.name, Entry.day)
        .join(Evidence, Evidence.id == EvidenceView.evidence_id)
        .join(Entry, Entry.id == Evidence.entry_id).join(OrgUnit, OrgUnit.id == Entry.village_id)
        .outerjoin(Person, Person.id == EvidenceView.person_id)
        .where(OrgUnit.parent_id.in_(commune_ids))
        .order_by(EvidenceView.at.desc(), EvidenceView.id.desc()).limit(limit)
    ).all()
