"""Evidence review: the commune's photos as a grid with the report each backs; approve, or
"Chờ hoàn thiện" with a reason that reaches the member in chat, as with `/duyet`
(`models/review.py`). Photos are served only to the commune's office, at an address that
names the file's SHA-256."""

from pathlib import Path
from urllib.parse import urlencode

from sqlmodel import select
from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import FileResponse, RedirectResponse, Response

from ..figures.wording import NEEDS_COMPLETING, REASONS, STATUS_NAMES, entry_line
from ..locales import translator
from ..models import Entry, Evidence, OrgUnit, Person
from ..models.orgunits import children
from ..models.privacy import record_view
from ..models.review import decide, notify
from .desk import Desk, database, posted, signed_in

STATES = tuple(STATUS_NAMES)
NOTES = ("approved", "returned", "unreachable", "already", "no_reason")


def review_page(request: Request) -> Response:
    with database(request) as session:
        desk = signed_in(request, session)
        commune = desk.office_commune(request.path_params["unit_id"])
        return render_review(request, desk, commune)


def render_review(request: Request, desk: Desk, commune: OrgUnit, status: int = 200, note: str | None = None) -> Response:
    villages = children(desk.session, commune)
    state = request.query_params.get("state", "pending")
    state = state if state in STATES else "pending"
    village_ids = [v.id for v in villages]
    chosen = request.query_params.get("village", "")
    if chosen.isdigit() and int(chosen) in village_ids:
        village_ids = [int(chosen)]
    items = evidence_items(desk, commune, village_ids, state)
    note = note or request.query_params.get("note")
    return desk.render("review.html", status=status, unit=commune, villages=villages, state=state, states=STATUS_NAMES,
                       chosen=chosen, items=items, reasons=REASONS, note=note if note in NOTES else None,
                       who=request.query_params.get("who", ""))


def evidence_items(desk: Desk, commune: OrgUnit, village_ids: list[int], state: str | None = None,
                   newest: int | None = None) -> list[dict]:
    """The villages' evidence in `state`, oldest first (200 at most: what waits longest comes
    first); or, with `newest`, that many of the latest in any state but taken back. Each with
    the report it backs, who sent it and when."""
    session, t = desk.session, desk.t
    query = (select(Evidence, Entry, Person).join(Entry, Entry.id == Evidence.entry_id)
             .join(Person, Person.id == Evidence.person_id).where(Entry.village_id.in_(village_ids)))
    if newest is None:
        query = query.where(Evidence.status == state).order_by(Evidence.received_at, Evidence.id).limit(200)
    else:
        query = query.where(Evidence.status != "withdrawn").order_by(Evidence.received_at.desc(), Evidence.id.desc()) \
            .limit(newest)
    return [{"evidence": evidence, "entry": entry_line(session, entry, t), "member": person.name,
             "received": t.date(desk.local_date(evidence.received_at, commune))}
            for evidence, entry, person in session.exec(query).all()]


def reviewed_item(desk: Desk, evidence_id: int) -> tuple[Evidence, Entry, OrgUnit]:
    """The evidence, its entry and its commune, if the person is that commune's office; else 404."""
    evidence = desk.session.get(Evidence, evidence_id)
    entry = desk.session.get(Entry, evidence.entry_id) if evidence else None
    village = desk.session.get(OrgUnit, entry.village_id) if entry else None
    if village is None:
        raise HTTPException(404)
    return evidence, entry, desk.office_commune(village.parent_id)


def photo(request: Request) -> Response:
    with database(request, writes=True) as session:
        desk = signed_in(request, session)
        evidence, _, _ = reviewed_item(desk, request.path_params["evidence_id"])
        if not evidence.stored_path or evidence.sha256 != request.path_params["sha256"]:
            raise HTTPException(404)
        path = Path(request.app.state.evidence_dir) / evidence.stored_path
        if not path.is_file():
            raise HTTPException(404)
        record_view(session, evidence, desk.person, "web", desk.now)  # issue 27: every showing recorded
        session.commit()
    return FileResponse(path, headers={"Cache-Control": "private, no-store"})


@posted
def decision(request: Request, form: FormData) -> Response:
    with database(request, writes=True) as session:
        desk = signed_in(request, session, form)
        evidence, entry, commune = reviewed_item(desk, request.path_params["evidence_id"])
        back = f"/web/unit/{commune.id}/evidence"
        reason = str(form.get("reason", "")).strip()[:512]
        if form.get("decision") == "needs_completion" and not reason:
            return render_review(request, desk, commune, status=400, note="no_reason")
        status = "needs_completion" if form.get("decision") == "needs_completion" else "approved"
        member = session.get(Person, evidence.person_id)
        if not decide(session, evidence.id, desk.person.id, desk.now, status, reason):
            reviewer = session.get(Person, evidence.reviewed_by)
            session.commit()
            return RedirectResponse(f"{back}?{urlencode({'note': 'already', 'who': reviewer.name})}", status_code=303)
        note = "approved"
        if status == "needs_completion":
            tm = translator(member.locale)
            told = notify(session, member.id, evidence.channel,
                          {"text": tm(NEEDS_COMPLETING, entry=entry_line(session, entry, tm), reason=reason), "choices": []})
            note = "returned" if told else "unreachable"
        session.commit()
    return RedirectResponse(f"{back}?{urlencode({'note': note, 'who': member.name})}", status_code=303)
