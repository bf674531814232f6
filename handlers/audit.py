"""`/nhatky [N]`: the latest changes in the office's commune (`figures/audit.py` lists them,
for the web desk too)."""

from ..figures.audit import latest_changes
from .context import Context
from .messages import Outgoing

SHOWN = 15
MAX_SHOWN = 50


def show_audit(context: Context, args: str) -> list[Outgoing]:
    t = context.t
    words = args.strip()
    limit = min(int(words), MAX_SHOWN) if words.isdecimal() and len(words) <= 3 and int(words) > 0 else SHOWN
    lines = latest_changes(context.session, t, context.communes(), limit, context.defaults.timezone)
    if not lines:
        return [Outgoing(t("No changes yet: reports that were edited or taken back, evidence decisions and people removed or leaving appear here."))]
    return [Outgoing("\n".join([t("📝 Latest changes (newest first):"), *lines]))]
