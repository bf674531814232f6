"""How a period and an indicator's progress are written, in chat and on the web alike."""

import math
from datetime import date

from sqlmodel import Session

from ..locales import N_, Translator
from ..models import Announcement, Entry, Invite, OrgUnit, Role
from ..models.members import Member
from ..models.periods import Period, week_of
from ..models.progress import Progress, Status
from ..models.queries import entry_counts, indicators


def period_name(t: Translator, period: Period) -> str:
    """`week 23/11–29/11` for a week; `2026-11 (01/11/2026–30/11/2026)` for any other period."""
    if period == week_of(period.first):
        return t("week {first}–{last}", first=t.day_month(period.first), last=t.day_month(period.last))
    return t("{period} ({first}–{last})", period=period.label, first=t.date(period.first), last=t.date(period.last))


# The reports due at the level above, by the kind of their period.
REPORT_NAMES = {"month": N_("monthly report"), "quarter": N_("quarterly report"), "half": N_("6-month report"),
                "year": N_("yearly report")}
STATUS_MARKS = {Status.GREEN: "🟢", Status.YELLOW: "🟡", Status.RED: "🔴", None: "▫️"}


def progress_line(t: Translator, name: str, count: int, total: Progress, period: Period, today: date) -> str | None:
    """`🟡 VNeID: this week 24 · reached 6.052/6.928 (87%) · expected 92% by 3 Dec`; None when
    there is nothing to say. `count` is the period's; progress is as of today, or the period's
    last day when it is over. A colour comes with what the time-line expects by then, so that a
    reader sees why; before the target's start there is neither."""
    as_of = min(today, period.last)
    if total.target is None and not count and not total.achieved:
        return None
    line = counted_in(t, name, count, period, today)
    status = total.status(as_of)
    if total.target is not None and total.ratio is not None:
        line += " · " + t("reached {achieved}/{target} ({percent})", achieved=t.number(round(total.achieved)),
                          target=t.number(round(total.target)), percent=t.percent(total.ratio))
        if status is not None:
            line += " · " + expected_by(t, total, status, as_of)
    else:
        line += " · " + t("{achieved} in all", achieved=t.number(round(total.achieved)))
    return f"{STATUS_MARKS[status]} {line}"


def expected_by(t: Translator, total: Progress, status: Status, as_of: date) -> str:
    """`expected 92% by 3 Dec`; when the rounded shares tie on a line that is not green
    (`88%`, expected `88%`), the count the time-line expects instead (`expected 442 by 25 Nov`,
    beside `reached 439/500`), so that the reader sees why it is behind."""
    expected, day = total.expected(as_of), t.day_month(as_of)
    percent = t.percent(expected / total.target)
    if status != Status.GREEN and percent == t.percent(total.ratio):
        return t("expected {count} by {day}", count=t.number(math.ceil(expected)), day=day)
    return t("expected {percent} by {day}", percent=percent, day=day)


def counted_in(t: Translator, name: str, count: int, period: Period, today: date) -> str:
    """`VNeID: this week 24` only for the week under way; `VNeID: 24 in the week` for a week
    that is over, whoever asks and however (Monday's summary, `/tuan tuần trước`, in words);
    `VNeID: 24 in the period` for a month, a quarter, a half or a year."""
    if period != week_of(period.first):
        return t("{indicator}: {count} in the period", indicator=name, count=t.number(count))
    if period == week_of(today):
        return t("{indicator}: this week {week}", indicator=name, week=t.number(count))
    return t("{indicator}: {count} in the week", indicator=name, count=t.number(count))


STATUS_NAMES = {  # an evidence's review status, as people read it
    "pending": N_("waiting for review"),
    "approved": N_("approved"),
    "needs_completion": N_("to complete (Chờ hoàn thiện)"),
    "withdrawn": N_("taken back"),
}
NEEDS_COMPLETING = N_("⏳ Your evidence for {entry} needs completing (Chờ hoàn thiện): {reason}\nSend a new photo to complete it.")
REASONS = (N_("The photo is blurred"), N_("The result is not visible"), N_("Information is missing"))


def short_names(session: Session, language: str) -> dict[str, str]:
    """Short names of every indicator ever counted, retired ones too, in catalog order: for
    naming stored counts."""
    return {i.key: i.short(language) for i in indicators(session)}


def counts_text(session: Session, counts: dict[str, int], t: Translator) -> str:
    """`VNeID 5 · BDHVS 3`: counts by their short names in `t`'s language, in catalog order."""
    names = short_names(session, t.language)
    return " · ".join(f"{names[key]} {t.number(counts[key])}" for key in names if key in counts)


def entry_line(session: Session, entry: Entry, t: Translator) -> str:
    """`Thôn Tân Hòa, 24/11/2026: VNeID 5 · BDHVS 3`, in the reader's language (`t`)."""
    counts = {c.indicator_key: c.count for c in entry_counts(session, entry.id) if c.deleted_at is None}
    village = session.get(OrgUnit, entry.village_id)
    return t("{village}, {day}: {counts}", village=village.name, day=t.date(entry.day),
             counts=counts_text(session, counts, t) or "—")


ROLE_NAMES = {  # how roles are named to people
    Role.MEMBER: N_("team member"),
    Role.VILLAGE_LEADER: N_("team leader"),
    Role.OFFICE: N_("commune office"),
    Role.LEADER: N_("commune leader"),
    Role.ADMIN: N_("administrator"),
    Role.PROVINCE_OFFICE: N_("province office"),
    Role.PROVINCE_LEADER: N_("province leader"),
}


CHANNEL_NAMES = {"telegram": "Telegram", "zalo": "Zalo"}  # the console keeps its own name


def member_details(t: Translator, member: Member) -> list[str]:
    """`team member`, `Telegram`, `last report 24/11/2026` (a village's member who never
    reported: `no report`; the office nothing): what `/thanhvien` and the desk's People say."""
    last = (t("last report {day}", day=t.date(member.last_report)) if member.last_report
            else t("no report") if member.unit.level == "village" else "")
    channels = ", ".join(CHANNEL_NAMES.get(channel, channel) for channel in member.channels)
    return [part for part in (t(ROLE_NAMES[member.role]), channels, last) if part]


# A place's changes, asked and told alike in chat (`/thanhvien`) and on the desk.
REMOVE_QUESTION = N_("Remove {name} from {unit}? They can no longer report or see its figures; their past reports stay.")
ROLE_QUESTION = N_("Change {name} in {unit}: {old} → {new}?")
REMOVED = N_("✅ {name} no longer belongs to {unit}.")
ROLE_CHANGED = N_("✅ {name} is now {role} in {unit}.")
LAST_OFFICE = N_("{name} is the last of {commune}'s office: without one, nobody there could invite, remove or "
                 "review. Invite another office member first (/moi), then do it again.")
PLACE_GONE = N_("That place no longer exists: someone changed it meanwhile.")
ROLES_TAKEN = N_("{unit} takes these roles: {roles}.")


def invite_text(t: Translator, unit: OrgUnit, invite: Invite, expires: date, link: str | None) -> str:
    """What `/moi` answers and the desk's invite card shows: the code, how to use it, until
    when, and on Telegram the link that joins with a tap."""
    text = t("Invite code for {unit} ({role}): {code}\nEach person sends /start {code} to the bot. It works {uses} times, until {day}.",
             unit=unit.name, role=t(ROLE_NAMES[Role(invite.role)]), code=invite.code, uses=invite.uses_left,
             day=t.date(expires))
    if link:
        text += "\n" + t("On Telegram, a tap on this link joins: {link}", link=link)
    return text


AUDIENCES = {  # whom an announcement (`/thongbao`) is for
    "commune": N_("the whole commune"),
    "leaders": N_("team leaders only"),
    "villages": N_("chosen villages"),
    "offices": N_("the communes' offices and leaders"),
    "province": N_("every member of the province"),
}


def audience_name(session: Session, t: Translator, audience: str, villages: list[int]) -> str:
    """An announcement's audience as people read it: its kind, or the villages chosen."""
    if audience != "villages":
        return t(AUDIENCES[audience])
    return ", ".join(session.get(OrgUnit, v).name for v in villages)


FILE_NAMES = {"photo": N_("(a photo)"), "document": N_("(a document)")}


def announcement_excerpt(t: Translator, announcement: Announcement, length: int = 80) -> str:
    """An announcement's text, its start when long, or what was sent without one: `(a photo)`."""
    text = announcement.text
    if not text:
        return t(FILE_NAMES[announcement.file_kind]) if announcement.file_kind else "—"
    return text if len(text) <= length else text[:length - 1] + "…"
