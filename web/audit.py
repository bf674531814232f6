"""The commune's audit, as `/nhatky` lists it (`figures/audit.py`), with filters: what kind
of change, and how many. For the commune's office and admins, as in chat."""

from starlette.requests import Request
from starlette.responses import Response

from ..figures.audit import KINDS, latest_changes
from ..locales import N_
from .desk import database, signed_in

KIND_NAMES = {"reports": N_("Reports"), "evidence": N_("Evidence"), "people": N_("People"), "places": N_("Places"),
              "views": N_("Photos viewed"), "announcements": N_("Announcements")}
LIMITS = (15, 50, 200)


def audit_page(request: Request) -> Response:
    with database(request) as session:
        desk = signed_in(request, session)
        commune = desk.office_commune(request.path_params["unit_id"])
        kind = request.query_params.get("kind", "")
        limit = request.query_params.get("limit", "")
        limit = int(limit) if limit.isdecimal() and int(limit) in LIMITS else LIMITS[0]
        lines = latest_changes(session, desk.t, [commune], limit, desk.timezone,
                               (kind,) if kind in KINDS else KINDS)
        return desk.render("audit.html", unit=commune, lines=lines, kinds=KIND_NAMES, kind=kind, limits=LIMITS,
                           limit=limit)
