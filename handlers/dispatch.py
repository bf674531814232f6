"""The one entry point of the handlers: an incoming message in, replies out.

The database transaction is committed before the replies are returned, so a channel
never tells a person something was saved that a crash could still lose. Any failure
rolls back everything the message did and still answers.
"""

import logging
import re
from collections.abc import Callable
from datetime import datetime

from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session

from ..locales import N_
from ..models.text import fold
from . import announce, ask, commands, intents, join, photos, questions, report
from .context import STEPS, Context, Defaults
from .evidence import evidence_of
from .grammar import ParseError, QuickReport
from .messages import Choice, Incoming, Outgoing
from .progress import what_can_be_asked
from .reading import LONGEST_READ, Proposal

log = logging.getLogger(__name__)

# What a member's words ask (handlers/intents.py), and the command that does it.
INTENT_COMMANDS = {"edit": "sua", "undo": "xoa", "nothing": "khong", "nothing_last_week": "khong", "guided": "baocao",
                   "help": "trogiup", "evidence": "minhchung", "language": "ngonngu",
                   "unphoto": "xoaanh"}
INTENT_ARGS = {"nothing_last_week": "last week"}  # `/khong last week`, whatever the language
EVERYONES_INTENTS = {"greeting", "thanks", "help", "language"}  # besides a member's reports
FRIENDLY_LINES = {
    "greeting": N_("Hello, {name} 👋 Send /trogiup to see what I can do."),
    "thanks": N_("You are welcome 🙂"),
}

SAVE_FAILED = N_("Sorry, the bot could not save this just now. Nothing was saved: please send it again in a minute.")

_COMMAND = re.compile(r"^/([A-Za-z_]+)(?:@\w+)?(?:\s+(.*))?$", re.S)


def split_command(text: str) -> tuple[str, str] | None:
    """`/baocao@tocds_bot args` → ("baocao", "args"); None for a text that is not a command."""
    match = _COMMAND.match(text.strip())
    return (match.group(1).lower(), (match.group(2) or "").strip()) if match else None


def handle(
    session: Session,
    incoming: Incoming,
    now: datetime,
    defaults: Defaults,
    before_commit: Callable[[list[Outgoing]], None] | None = None,
) -> list[Outgoing]:
    """Handles one message in one transaction and returns the replies once it is committed.

    `before_commit` gets the replies inside that transaction: a channel writes them to
    its outbox there, so that a reply is never lost and never sent for something undone.
    Such a channel also gets database errors raised, to keep the update for a retry;
    without one, the person is asked to send the message again.
    """
    context = Context.load(session, incoming, now, defaults)
    t = context.t  # chosen before anything can fail: a rollback expires the person
    try:
        replies = route(context)
        if before_commit:
            before_commit(replies)
        session.commit()
        return replies
    except SQLAlchemyError:
        session.rollback()
        if before_commit:
            raise  # a durable channel keeps the update and tries again: nothing is lost
        log.exception("database error on %s message %s", incoming.channel, incoming.message_id)
        failure = t(SAVE_FAILED)
    except Exception:
        session.rollback()
        log.exception("handler failed on %s message %s", incoming.channel, incoming.message_id)
        failure = t("Sorry, something went wrong. Nothing was saved: please try again, or send /huy to start over.")
    replies = [Outgoing(failure)]
    if before_commit:
        before_commit(replies)
        session.commit()
    return replies


def route(context: Context) -> list[Outgoing]:
    incoming, t = context.incoming, context.t
    quiet = incoming.is_group  # in a team's group, answer what is for the bot, not the chatter
    command = split_command(incoming.text) if incoming.kind == "text" and incoming.choice is None else None

    context.drop_lapsed_question()
    if (announcement := announce.is_acknowledgement(context)) is not None:
        return announce.acknowledged(context, announcement)  # from someone who left since too: they read it
    if not context.places:  # never joined, or removed since: past entries stay, access does not
        if command and command[0] == "start" and command[1]:
            return join.start(context, command[1])
        if quiet and not command:
            return []
        return [Outgoing(t("You have not joined yet. Ask your commune office for an invite code, then send /start CODE."))]
    if (announcement := announce.is_status_request(context)) is not None:
        return announce.status_requested(context, announcement)  # the delivery report's button, any time

    if incoming.kind == "edited":
        return [] if quiet else [Outgoing(t("I do not read changed messages. To change a count, send /sua."))]
    if incoming.kind == "other":
        return [] if quiet else [Outgoing(t("I understand text messages and photos. Send /trogiup to see how to report."))]

    if command:
        return run_command(context, *command)
    if (question := ask.question_replied_to(context)) is not None:
        return run_command(context, "traloi", f"{question} {incoming.text}")  # the office's reply to a question

    if context.state:
        return answer_step(context)
    if incoming.kind == "text" and (for_the_office := ask.for_the_office(incoming.text)) is not None:
        return run_command(context, "hoi", for_the_office)

    if incoming.choice is not None:
        return [Outgoing(t("That button belongs to a question that is already closed. Send /trogiup to start again."))]
    if intent := intent_of(context):
        return follow(context, intent)
    asked = incoming.kind == "text" and (questions.topic_of(incoming.text) or asks_instead(context))
    if asked and context.villages() and report_not_question(context):
        asked = None
    if context.villages() and not asked:
        if evidence_of(context) and not report.names_a_report(context):
            # A photo whose caption is no report: evidence, except in a team's group (chatter).
            return [] if quiet else photos.for_latest_entry(context)
        return report.quick_report(context)  # a member's words are a report unless they ask something
    if quiet and not asked:
        return []
    if incoming.kind != "text" or (not asked and isinstance(report.parse(context, incoming.text), QuickReport)):
        return [Outgoing(t("Reports come from village team members. Send /tiendo to see progress, or /trogiup for what you can do."))]
    return answer_question(context)


# What the report reader says of words that hold no report but may name what a question asks.
NO_REPORT = frozenset({"unclear", "vague_day", "no_pairs", "unpaired_number", "missing_count", "unknown_key"})


def asks_instead(context: Context) -> bool:
    """A member's words without a report that name a period or their own unit (`năm nay`,
    `tuần 48 thôn mình`, `thôn mình có đạt chỉ tiêu vneid không`): a question after all."""
    if not context.villages() or context.incoming.is_group or len(context.incoming.text) > LONGEST_READ:
        return False  # in the team's group, chatter; a page of text asks nothing
    parsed = report.parse(context, context.incoming.text)
    if parsed is not None and not (isinstance(parsed, ParseError) and parsed.code in NO_REPORT):
        return False
    question = questions.read(context, context.incoming.text)
    return bool(question.period or question.bad_period or question.own_unit)


def report_not_question(context: Context) -> bool:
    """A member's report that happens to hold a question's words (`tổng hợp tuần: hộ 12 vneid 5`)
    when the command that would answer it is not theirs: it stays a report."""
    parsed = report.parse(context, context.incoming.text)
    if not isinstance(parsed, QuickReport | Proposal):
        return False
    request = questions.request_for(questions.read(context, context.incoming.text), context.incoming.text)
    return request is None or not commands.COMMANDS[request[0]].allowed(context.roles)


def intent_of(context: Context) -> intents.Intent | None:
    """What a text means besides a report or a question: `sửa lại vneid 6`, `xóa báo cáo`,
    `tuần này không có gì` from a member; `chào bot`, `cảm ơn` from anyone."""
    if context.incoming.kind != "text":
        return None
    if not context.villages():
        intent = intents.read(context.incoming.text)
        return intent if intent and intent.kind in EVERYONES_INTENTS else None
    known = {fold(alias) for alias in report.aliases(context)}
    return intents.read(context.incoming.text, known)


def follow(context: Context, intent: intents.Intent) -> list[Outgoing]:
    """Runs the command a member asked for in words, or answers a greeting or thanks in one line."""
    if intent.kind in INTENT_COMMANDS:
        return run_command(context, INTENT_COMMANDS[intent.kind], intent.args or INTENT_ARGS.get(intent.kind, ""))
    if context.incoming.is_group:
        return []  # "cảm ơn cả nhà" in the team's group is not for the bot
    return [Outgoing(context.t(FRIENDLY_LINES[intent.kind], name=context.person.name))]


def run_command(context: Context, name: str, args: str) -> list[Outgoing]:
    """A command typed, or the command that answers a question: each with its permission check."""
    t = context.t
    entry = commands.COMMANDS.get(name)
    if entry is None:
        return [Outgoing(t("I do not know /{name}. Send /trogiup to see what I can do.", name=name))]
    if not entry.allowed(context.roles):
        shown = entry.alias if t.language == "en" else entry.name  # as that person's menu names it
        return [Outgoing(t("/{name} is not available for your role. Send /trogiup to see what you can do.", name=shown))]
    if entry.name != "huy":
        context.finish()
    return entry.run(context, args)


def answer_question(context: Context) -> list[Outgoing]:
    """`tiến độ vneid`, `thôn nào chậm nhất`, `ai chưa báo cáo tuần trước`, `xuất báo cáo
    tháng 11`: answered by the command that answers it, with its permission check."""
    question = questions.read(context, context.incoming.text)
    request = questions.request_for(question, context.incoming.text)
    if request is None:
        return [Outgoing(what_can_be_asked(context))]
    return run_command(context, *request)


def answer_step(context: Context) -> list[Outgoing]:
    """Resolves the answer to the pending question: a button, its number, or free text."""
    state, incoming, t = context.state, context.incoming, context.t
    choices = state.get("choices", [])
    data = incoming.choice
    if data is None:
        text = incoming.text.strip()
        folded = fold(text)
        # isdecimal, not isdigit: int() refuses "²"; short: int() refuses 4,300 digits and more.
        # A digit picks a numbered choice (count buttons 1–5 are their own digits, so a typed
        # count reads the same either way); then a choice's text, a word answering yes or no
        # (`dạ`, `ko`: when the choices carry "yes" or "no"), leaving (`thôi`); anything else
        # may be free text.
        answer = intents.answer(text) if incoming.kind == "text" else None  # a photo captioned `ok` answers nothing
        if answer == "cancel":  # `thôi`, `hủy` leave any question, the same way
            return run_command(context, "huy", "")
        if len(text) <= 3 and text.isdecimal() and 1 <= int(text) <= len(choices):
            data = choices[int(text) - 1][1]
        else:
            data = next((d for label, d in choices if fold(label) == folded), None)
        if data is None:
            data = answer if answer in {d for _, d in choices} else None
        if data is None and state.get("free_text"):
            data = text
    elif data not in {d for _, d in choices}:
        return [Outgoing(t("That button belongs to a question that is already closed. Send /trogiup to start again."))]

    if data is None:
        # Not an answer. A correction, a take-back or "nothing this week" in words, or a new
        # report typed instead, is taken as such: never lost.
        if (intent := intent_of(context)) and intent.kind in INTENT_COMMANDS:
            return follow(context, intent)
        if incoming.text and report.looks_like_report(context):
            return report.report_instead(context)
        numbers = t("Answer with a number from 1 to {n}, or send /huy to cancel.", n=len(choices))
        return [Outgoing(numbers, tuple(Choice(label, d) for label, d in choices))]
    return STEPS[state["step"]](context, data)
