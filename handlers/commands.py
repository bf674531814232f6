"""The chat commands: names (Vietnamese and English), who may use them, what they do.

This one table drives dispatching, the permission check and `/trogiup`.
"""

from collections.abc import Callable
from dataclasses import dataclass

from ..locales import LANGUAGES, N_, translator
from ..models import Role
from ..models.access import DESK_ROLES, FIGURE_ROLES, OFFICE_ROLES
from . import reports
from .announce import start_announcement
from .ask import answer_question, ask_office
from .audit import show_audit
from .context import Context, step
from .edit import start_edit, start_undo
from .export import export, period_report
from .join import invite, start
from .members import leave, show_members
from .messages import Choice, Outgoing
from .nothing import nothing_this_week
from .photos import show_evidence, take_back_photo
from .progress import show_progress
from .report import example, start_guided
from .review import start_review
from .subscribe import toggle_subscription
from .web import web_link

EVERYONE = frozenset(Role)
REPORTERS = frozenset({Role.MEMBER, Role.VILLAGE_LEADER})
OFFICE = OFFICE_ROLES  # the commune's people and evidence
PROVINCE = frozenset({Role.PROVINCE_OFFICE, Role.PROVINCE_LEADER})
READERS = FIGURE_ROLES  # a commune's figures (texts and workbooks): its office, leaders, admins, its province's people
SUBSCRIBERS = READERS
EDITORS = REPORTERS | OFFICE  # counts: a member's own, the office's any of its commune's villages
PEOPLE = OFFICE | {Role.PROVINCE_OFFICE}  # invite and manage people; a province office its province's own
ANNOUNCERS = PEOPLE | {Role.LEADER}  # announce to a commune's people, a province office to its province's


@dataclass(frozen=True)
class Command:
    name: str  # Vietnamese, shown first
    alias: str  # English
    roles: frozenset[Role]
    run: Callable[[Context, str], list[Outgoing]]
    summary: str  # msgid

    def allowed(self, roles: set[Role]) -> bool:
        return bool(self.roles & roles)


def cancel(context: Context, args: str) -> list[Outgoing]:
    t = context.t
    if not context.state:
        return [Outgoing(t("There is nothing to cancel."))]
    context.finish()
    return [Outgoing(t("Cancelled: nothing was saved."))]


LANGUAGE_NAMES = {"vi": "Tiếng Việt", "en": "English"}


def choose_language(context: Context, args: str) -> list[Outgoing]:
    choices = [Choice(LANGUAGE_NAMES[code], f"l:{code}") for code in LANGUAGES]
    return [context.ask("language", context.t("Choose your language:"), choices)]


@step("language")
def _language_chosen(context: Context, data: str) -> list[Outgoing]:
    context.finish()
    context.person.locale = data.removeprefix("l:")
    context.session.add(context.person)
    return [Outgoing(context.t("From now on I write in English."))]


def show_help(context: Context, args: str) -> list[Outgoing]:
    t = context.t
    lines = [t("What you can do here:")]
    lines += [
        f"/{c.name} (/{c.alias}) — {t(c.summary)}"
        for c in TABLE
        if c.allowed(context.roles) and c.name != "start"
    ]
    if REPORTERS & context.roles:
        lines += ["", t("Quick report: one message with what you did."), example(context)]
    return [Outgoing("\n".join(lines))]


TABLE = (
    Command("start", "start", EVERYONE, start, N_("join with an invite code")),
    Command("baocao", "report", REPORTERS, start_guided, N_("report step by step, with buttons")),
    Command("sua", "edit", EDITORS, start_edit, N_("change a count of the last 15 days (/sua vneid 6)")),
    Command("xoa", "undo", EDITORS, start_undo, N_("take back a report, or one count (/xoa cks)")),
    Command("khong", "none", REPORTERS, nothing_this_week, N_("nothing to report this week (/khong tuần trước: last week)")),
    Command("minhchung", "evidence", REPORTERS, show_evidence, N_("send a photo as evidence for my report")),
    Command("xoaanh", "unphoto", REPORTERS, take_back_photo, N_("take back the photo I sent, before it is reviewed")),
    Command("tiendo", "progress", EVERYONE, show_progress, N_("progress against the targets")),
    Command("tuan", "week", READERS, reports.week, N_("this week's summary")),
    Command("thang", "month", READERS, reports.month, N_("a month's summary (this month, or /thang 10)")),
    Command("quy", "quarter", READERS, reports.quarter, N_("a quarter's summary (/quy 3)")),
    Command("nam", "year", READERS, reports.year, N_("this year's summary")),
    Command("xephang", "ranking", READERS, reports.ranking, N_("villages ranked by progress (/xephang vneid)")),
    Command("chuabaocao", "missing", READERS | {Role.VILLAGE_LEADER}, reports.missing,
            N_("who has not reported this week")),
    Command("duyet", "review", OFFICE, start_review, N_("review the evidence members sent")),
    Command("nhatky", "audit", OFFICE, show_audit, N_("changes to reports and evidence decisions")),
    Command("moi", "invite", PEOPLE, invite, N_("make an invite code")),
    Command("thanhvien", "members", PEOPLE, show_members,
            N_("who belongs to the commune, a village or the province; remove a person or change a role")),
    Command("xuat", "export", READERS, export, N_("a period's spreadsheet (/xuat 2026-Q4, add csv for CSV)")),
    Command("baocaoky", "periodreport", READERS, period_report,
            N_("the report to the level above, ready to sign (/baocaoky tháng 11; default: last month)")),
    Command("web", "web", DESK_ROLES, web_link, N_("a sign-in link to the office's web desk")),
    Command("nhantin", "subscribe", SUBSCRIBERS, toggle_subscription,
            N_("this chat receives the weekly summary and alerts (again: stop)")),
    Command("thongbao", "announce", ANNOUNCERS, start_announcement,
            N_("announce to the commune's people and see who has read it")),
    Command("hoi", "ask", REPORTERS | OFFICE, ask_office,
            N_("send a message to the commune office (/hoi text); the office: the questions not answered yet")),
    Command("traloi", "reply", OFFICE, answer_question, N_("answer a member's question (/traloi N text)")),
    Command("roi", "leave", EVERYONE, leave, N_("leave a village or the commune")),
    Command("ngonngu", "lang", EVERYONE, choose_language, N_("Tiếng Việt / English")),
    Command("huy", "cancel", EVERYONE, cancel, N_("leave the current step")),
    Command("trogiup", "help", EVERYONE, show_help, N_("what I can do here")),
)

COMMANDS = {name: command for command in TABLE for name in (command.name, command.alias)}


# Telegram's command menus: what a private chat and a group see, per language.
GROUP_MENU = ("tiendo", "khong", "huy", "trogiup")


def menus() -> dict[tuple[str, str], list[tuple[str, str]]]:
    result = {}
    for language in LANGUAGES:
        t = translator(language)
        for scope in ("private", "group"):
            result[(scope, language)] = [
                (c.name if language == "vi" else c.alias, t(c.summary))
                for c in TABLE
                if c.name != "start" and (scope == "private" or c.name in GROUP_MENU)
            ]
    return result
