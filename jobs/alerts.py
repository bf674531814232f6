"""Daily red alerts (seed 004): a village's indicator that turns red is reported once; for a
province, a commune's (its villages added up) that turns red. `AlertState` keeps the colour
of either: its `village_id` is an org unit's id, a village's or a commune's."""

from datetime import datetime

from sqlmodel import Session, select

from ..handlers.messages import Outgoing
from ..models import AlertState, Level, OrgUnit
from ..models.orgunits import children
from ..models.periods import local_date, week_of
from ..models.progress import Status
from ..models.queries import progress, tracked
from ..models.summary import province_summary
from ..models.types import utcnow
from .runner import Delivery, Job
from .subscribers import to_subscribers


def day_label(commune: OrgUnit, now: datetime) -> str:
    return local_date(now, commune.timezone).isoformat()


def plan(session: Session, commune: OrgUnit, now: datetime) -> list[Delivery]:
    """Notes every colour; the pairs that turned red since the last run make the alert."""
    today = local_date(now, commune.timezone)
    if commune.level == Level.PROVINCE:  # its communes, each over the indicators it tracks
        overview = province_summary(session, commune, week_of(today), today).overview
        villages, by_village = [row.village for row in overview.villages], {
            row.village.id: row.progress for row in overview.villages}
        names = {i.key: i for i in overview.indicators}
    else:
        villages = children(session, commune, on=today)
        by_village = progress(session, villages, today)
        names = {i.key: i for i in tracked(session, commune.id)}
    states = {(s.village_id, s.indicator_key): s for s in session.exec(
        select(AlertState).where(AlertState.village_id.in_([v.id for v in villages])))}
    turned_red = []
    for village in villages:
        for line in by_village[village.id].values():
            status = line.status(today) if line.indicator_key in names else None
            if status is None:
                continue
            state = states.get((village.id, line.indicator_key))
            if state is None:
                state = AlertState(village_id=village.id, indicator_key=line.indicator_key, status=status)
            elif state.status != status:
                state.status, state.changed_at = status, utcnow()
            else:
                continue
            if status == Status.RED:
                turned_red.append((village, line))
            session.add(state)
    if not turned_red:
        return []

    def compose(t):
        lines = [t("🔴 {commune}: behind the time-line (seed 004 rule), as of {day}:",
                   commune=commune.name, day=t.date(today))]
        for village, line in turned_red:
            lines.append(t("• {village} — {indicator}: {achieved}/{target} ({percent}); the time-line expects {expected}",
                           village=village.name, indicator=names[line.indicator_key].short(t.language),
                           achieved=t.number(round(line.achieved)), target=t.number(round(line.target)),
                           percent=t.percent(line.ratio),
                           expected=t.number(round(line.expected(today)))))
        return [Outgoing("\n".join(lines))]

    return to_subscribers(session, commune, compose)


ALERTS = Job("alerts", day_label, plan, (Level.COMMUNE, Level.PROVINCE))
