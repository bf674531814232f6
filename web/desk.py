"""What every page of the desk needs: the database session, who is signed in and what they
reach, their language, the templates, and the answers for no session and out of reach."""

import hmac
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from jinja2 import Environment, FileSystemLoader, select_autoescape
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from ..locales import Translator, translator
from ..models import OrgUnit, Person
from ..models.access import (
    DESK_ROLES,
    Place,
    managed_units,
    office_of,
    places_of,
    reads_figures,
    within_reach,
)
from ..models.db import get_engine, get_writer
from ..models.members import zone_of
from ..models.periods import local_date
from ..models.web_sessions import WebSession, open_session

HERE = Path(__file__).resolve().parent
STATIC = HERE / "static"
COOKIE = "tocds_desk"
TEMPLATES = Environment(loader=FileSystemLoader(HERE / "templates"), autoescape=select_autoescape(["html"]),
                        trim_blocks=True, lstrip_blocks=True)


@dataclass
class Desk:
    """One request of a signed-in person."""

    session: Session
    person: Person
    places: list[Place]
    web_session: WebSession
    timezone: str  # TOCDS_TIMEZONE: for a commune with none of its own
    now: datetime  # the request's moment (the desk's clock: a benchmark's may be fixed)
    page: str = "/web/"  # the page read (its path and query): where switching the language comes back to

    @property
    def t(self) -> Translator:
        return translator(self.person.locale)

    def unit(self, unit_id: int) -> OrgUnit:
        """A unit the person reaches; any other answers 404, as if it did not exist."""
        unit = self.session.get(OrgUnit, unit_id)
        if unit is None or not self.reaches(unit):
            raise HTTPException(404)
        return unit

    def reaches(self, unit: OrgUnit) -> bool:
        return within_reach(self.session, self.places, unit)

    def zone(self, unit: OrgUnit) -> str:
        """The time zone of the unit's commune (a province: its own)."""
        return zone_of(self.session, unit, self.timezone)

    def local_date(self, moment: datetime, unit: OrgUnit) -> date:
        """The day a UTC moment falls on in the unit's commune."""
        return local_date(moment, self.zone(unit))

    def today(self, unit: OrgUnit) -> date:
        return self.local_date(self.now, unit)

    def local_now(self, unit: OrgUnit) -> datetime:
        """The request's moment on the unit's clocks (naive: the day and time read there)."""
        return self.now.astimezone(ZoneInfo(self.zone(unit))).replace(tzinfo=None)

    def figures_unit(self, unit_id: int) -> OrgUnit:
        """A commune or province whose figures the person reads (`/tuan`, `/xuat`, `/baocaoky`);
        any other unit answers 404."""
        unit = self.unit(unit_id)
        if not reads_figures(self.session, self.places, unit):
            raise HTTPException(404)
        return unit

    def office_commune(self, unit_id: int) -> OrgUnit:
        """A commune whose office (or admin) the person is; any other answers 404."""
        unit = self.unit(unit_id)
        if not office_of(self.places, unit.id):
            raise HTTPException(404)
        return unit

    def managed_units(self) -> list[OrgUnit]:
        """The units whose people the person manages, as in chat (`/moi`, `/thanhvien`)."""
        return managed_units(self.session, self.places, self.now, self.timezone)

    def home_units(self) -> list[OrgUnit]:
        """The units the person's places name (their commune, province or village)."""
        return list({place.unit.id: place.unit for place in self.places if place.role in DESK_ROLES}.values())

    def render(self, name: str, status: int = 200, **values) -> HTMLResponse:
        values.setdefault("back", self.page)  # where switching the language comes back to
        html = TEMPLATES.get_template(name).render(t=self.t, person=self.person, csrf=self.web_session.csrf,
                                                   homes=self.home_units(), **values)
        return HTMLResponse(html, status_code=status)


def database(request: Request, writes: bool = False) -> Session:
    """A session; one that `writes` takes SQLite's write lock at its start (`get_writer`),
    so that a read followed by a write waits its turn rather than fails."""
    url = request.app.state.database_url
    return Session(get_writer(url) if writes else get_engine(url), expire_on_commit=False)


def posted(work: Callable[[Request, FormData], Response]) -> Callable[[Request], Awaitable[Response]]:
    """A view of a posted form: the form is read in the event loop, then `work` (the blocking
    database work) runs in a worker thread, so that no request waits on another's database."""

    async def view(request: Request) -> Response:
        form = await request.form()
        return await run_in_threadpool(work, request, form)

    view.__doc__ = work.__doc__
    return view


class NotSignedIn(Exception):
    """Answered with the page that says how to sign in (401)."""


def signed_in(request: Request, session: Session, form=None) -> Desk:
    """The desk of whoever the cookie names (NotSignedIn: nobody); a posted `form` must carry
    the session's token (403 otherwise)."""
    row = open_session(session, request.cookies.get(COOKIE, "")) if request.cookies.get(COOKIE) else None
    if row is None:
        raise NotSignedIn
    person = session.get(Person, row.person_id)
    places = places_of(session, person.id)
    page = f"{request.url.path}?{request.url.query}" if request.url.query else request.url.path
    desk = Desk(session, person, places, row, request.app.state.timezone, request.app.state.clock(),
                page if request.method == "GET" else "/web/")
    if form is not None:
        check_csrf(desk, str(form.get("csrf", "")))
    return desk


def signed_out_page(t: Translator, status: int = 401) -> HTMLResponse:
    return HTMLResponse(TEMPLATES.get_template("signed_out.html").render(t=t), status_code=status)


def check_csrf(desk: Desk, token: str) -> None:
    if not desk.web_session.csrf or not hmac.compare_digest(token.encode(), desk.web_session.csrf.encode()):
        raise HTTPException(403)

