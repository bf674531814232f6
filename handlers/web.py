"""`/web`: a one-time link that signs the person in to the office's web desk."""

from ..models.web_sessions import make_link
from .context import Context
from .messages import Outgoing


def web_link(context: Context, args: str) -> list[Outgoing]:
    t = context.t
    if not context.defaults.web_url:
        return [Outgoing(t("The web desk is not set up yet: ask the operator to set TOCDS_WEB_URL."))]
    if context.incoming.is_group:
        return [Outgoing(t("A sign-in link is for you alone: write /web to me in a private chat."))]
    token = make_link(context.session, context.person.id, context.now)
    link = f"{context.defaults.web_url.rstrip('/')}/web/login/{token}"
    return [Outgoing(t("Open this link to sign in to the web desk (it works once, for 10 minutes; do not share it):\n{link}",
                       link=link))]
