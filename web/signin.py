"""Signing in with a one-time link from chat (`/web`, `tocds admin weblink`), signing out,
and the language of the pages (the person's, as in chat)."""

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from ..locales import LANGUAGES, translator
from ..models.web_sessions import SESSION_LIFETIME, redeem_link, sign_out
from .desk import COOKIE, database, posted, signed_in, signed_out_page


def login(request: Request) -> Response:
    with database(request, writes=True) as session:
        opened = redeem_link(session, request.path_params["token"])
        session.commit()
    if opened is None:
        return signed_out_page(translator("vi"), status=410)
    token, _ = opened
    response = RedirectResponse("/web/", status_code=303)
    response.set_cookie(COOKIE, token, max_age=int(SESSION_LIFETIME.total_seconds()), path="/web",
                        httponly=True, samesite="lax", secure=request.url.scheme == "https")
    return response


@posted
def logout(request: Request, form: FormData) -> Response:
    with database(request, writes=True) as session:
        desk = signed_in(request, session, form)
        sign_out(session, desk.web_session)
        session.commit()
    response = signed_out_page(desk.t, status=200)
    response.delete_cookie(COOKIE, path="/web")
    return response


@posted
def language(request: Request, form: FormData) -> Response:
    with database(request, writes=True) as session:
        desk = signed_in(request, session, form)
        if form.get("language") in LANGUAGES:
            desk.person.locale = str(form["language"])
            session.add(desk.person)
            session.commit()
    back = str(form.get("back", ""))
    return RedirectResponse(back if back.startswith("/web/") else "/web/", status_code=303)
