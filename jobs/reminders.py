"""Friday's reminder to the members of villages that have not reported this week."""

from datetime import datetime

from sqlmodel import Session, select

from ..handlers.messages import Outgoing
from ..handlers.wording import example_report
from ..locales import translator
from ..models import ChannelAccount, Membership, OrgUnit, Person
from ..models.orgunits import children
from ..models.people import VILLAGE_ROLES
from ..models.periods import local_date, week_of
from ..models.queries import reported_village_ids
from .runner import Delivery, Job

# Where a reminder can reach a person; console messages are printed by whoever delivers
# them (`tocds jobs run`, the demo, `tocds run` to its standard output).
MESSENGERS = ("telegram", "zalo", "console")


def week_label(commune: OrgUnit, now: datetime) -> str:
    return week_of(local_date(now, commune.timezone)).label


def missing_villages(session: Session, commune: OrgUnit, now: datetime) -> list[OrgUnit]:
    """The commune's villages with no entry and no "nothing this week" in the week of `now`."""
    week = week_of(local_date(now, commune.timezone))
    villages = children(session, commune, on=week.first)  # as the week's summary: retired before it, gone
    reported = reported_village_ids(session, [v.id for v in villages], week.first)
    return [v for v in villages if v.id not in reported]


def team_accounts(session: Session, villages: list[OrgUnit], roles=VILLAGE_ROLES):
    """(village, person, account) for the teams of those villages, reachable on a messenger."""
    by_id = {v.id: v for v in villages}
    rows = session.exec(
        select(Membership.org_unit_id, Person, ChannelAccount)
        .join(Person, Person.id == Membership.person_id)
        .join(ChannelAccount, ChannelAccount.person_id == Person.id)
        .where(
            Membership.org_unit_id.in_(list(by_id)),
            Membership.role.in_([r.value for r in roles]),
            ChannelAccount.channel.in_(MESSENGERS),
            ChannelAccount.blocked_at.is_(None),
        )
        .order_by(Membership.org_unit_id, Person.id)
    ).all()
    return [(by_id[village_id], person, account) for village_id, person, account in rows]


def plan(session: Session, commune: OrgUnit, now: datetime) -> list[Delivery]:
    week = week_of(local_date(now, commune.timezone))
    deliveries = []
    for village, person, account in team_accounts(session, missing_villages(session, commune, now)):
        t = translator(person.locale)
        text = t("⏰ Reminder: {village} has not reported for the week {first}–{last}. Send one message such as {example} — or /khong if there was nothing this week.",
                 example=example_report(session, [commune.id], 2), village=village.name, first=t.day_month(week.first), last=t.day_month(week.last))
        deliveries.append(Delivery(account.channel, account.external_id, Outgoing(text)))
    return deliveries


REMINDERS = Job("reminders", week_label, plan)
