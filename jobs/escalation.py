"""Saturday's escalation: the team leaders of villages still missing, and the list to the office."""

from datetime import datetime

from sqlmodel import Session

from ..handlers.messages import Outgoing
from ..handlers.wording import example_report
from ..locales import translator
from ..models import OrgUnit, Role
from ..models.periods import local_date, week_of
from .reminders import missing_villages, team_accounts, week_label
from .runner import Delivery, Job
from .subscribers import to_subscribers


def plan(session: Session, commune: OrgUnit, now: datetime) -> list[Delivery]:
    week = week_of(local_date(now, commune.timezone))
    missing = missing_villages(session, commune, now)
    deliveries = []
    for village, person, account in team_accounts(session, missing, roles=(Role.VILLAGE_LEADER,)):
        t = translator(person.locale)
        text = t("🔔 {village} still has no report for the week {first}–{last}. As team leader, please send the team's figures today (e.g. {example}), or /khong.",
                 example=example_report(session, [commune.id], 2), village=village.name, first=t.day_month(week.first), last=t.day_month(week.last))
        deliveries.append(Delivery(account.channel, account.external_id, Outgoing(text)))
    if missing:
        deliveries += to_subscribers(session, commune, lambda t: [Outgoing(
            t.plural("🔔 {commune}, week {first}–{last}: {count} village has not reported yet: {villages}.",
                     "🔔 {commune}, week {first}–{last}: {count} villages have not reported yet: {villages}.",
                     len(missing), commune=commune.name, first=t.day_month(week.first),
                     last=t.day_month(week.last), villages=", ".join(v.name for v in missing)))])
    return deliveries


ESCALATION = Job("escalation", week_label, plan)
