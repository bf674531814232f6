"""`/hoi` (`/ask`), `nhắn văn phòng: …`: a member's message for the commune office, and its answer.

The message reaches the commune's subscribed chats (`/nhantin`) with who sent it and from
which village, and is kept until answered. The office answers with `/traloi N text`: the
member gets the answer in the chat they asked from. `/hoi` from the office lists the
questions not answered yet, oldest first.
"""

import re

from sqlmodel import select

from ..locales import N_, translator
from ..models import OfficeQuestion, OrgUnit, Person, Role, Subscription
from . import intents
from .context import Context, step
from .messages import Choice, Outgoing

LONGEST = 4000
SHOWN = 20
# `nhắn văn phòng: …`, `gửi văn phòng xã - …`, `hỏi văn phòng, …` (also without accents)
FOR_THE_OFFICE = re.compile(r"^\s*(?:nhắn|nhan|gửi|gui|hỏi|hoi)\s+(?:cho\s+)?(?:văn|van)\s+(?:phòng|phong)"
                            r"(?:\s+(?:xã|xa))?\s*[:,\-–]\s*(?P<text>\S.*)$", re.I | re.S)
QUESTION = N_("❓ Question {number} from {name} ({village}):\n{text}\nTo answer: /traloi {number} your answer")
REPLIED_QUESTION = re.compile(r"^❓\D*?(?P<number>\d+)")  # the office's copy of a question, any language
ANSWER = N_("💬 The commune office answers “{question}”:\n{answer}")


def for_the_office(text: str) -> str | None:
    """The message after `nhắn văn phòng:`, or None when the words are not for the office."""
    match = FOR_THE_OFFICE.match(text)
    return match.group("text").strip() if match else None


def question_replied_to(context: Context) -> str | None:
    """The number of the question the office answers with Telegram's reply to its copy."""
    match = REPLIED_QUESTION.match(context.incoming.replying_to)
    if match is None or context.incoming.kind != "text" or not {Role.OFFICE, Role.ADMIN} & context.roles:
        return None
    return match.group("number")


def ask_office(context: Context, args: str) -> list[Outgoing]:
    """`/hoi text` from a member sends it; `/hoi` alone asks for it; from the office, the open questions."""
    if not context.villages():
        return [open_questions(context)]
    if not args.strip():
        return [context.ask("ask.text", context.t("What do you want to tell the commune office? "
                                                  "Type it in one message, or send /huy to cancel."), free_text=True)]
    return [send_question(context, args.strip())]


@step("ask.text")
def _text_typed(context: Context, text: str) -> list[Outgoing]:
    context.finish()
    return [send_question(context, text.strip())]


def send_question(context: Context, text: str) -> Outgoing:
    t, session = context.t, context.session
    if len(text) > LONGEST:
        return Outgoing(t("That is {count} characters; a message to the office holds {most}. "
                          "Shorten it and send it again.", count=len(text), most=LONGEST))
    village = context.villages()[0]
    question = OfficeQuestion(commune_id=village.parent_id, person_id=context.person.id, village_id=village.id,
                              channel=context.incoming.channel, text=text, asked_at=context.now)
    session.add(question)
    session.flush()
    chats = session.exec(select(Subscription).where(Subscription.commune_id == village.parent_id)).all()
    for chat in chats:
        tc = translator(chat.language)
        message = Outgoing(tc(QUESTION, number=question.id, name=context.person.name, village=village.name, text=text))
        context.send_to_chat(chat.channel, chat.chat_id, message)
    if not chats:
        return Outgoing(t("✅ Kept for the commune office: they see it when they send /hoi. "
                          "No chat of theirs gets messages from the bot yet; if it is urgent, call them."))
    return Outgoing(t("✅ Sent to the commune office. Their answer comes here."))


def worth_offering(text: str) -> bool:
    """Words that may be for the office: not emoji alone, not a page (too long to send),
    not `thôi` or `ok` with nothing open."""
    return any(c.isalpha() for c in text) and len(text) <= LONGEST and intents.answer(text) is None


def offer(context: Context, not_understood: str) -> Outgoing:
    """For a member's words the bot cannot read: the reason, and "send it to the office?"."""
    t = context.t
    return context.ask("ask.offer", not_understood + "\n" + t("📨 Send it to the commune office?"),
                       [Choice(t("📨 Send to the office"), "yes"), Choice(t("No"), "no")],
                       message=context.incoming.text[:LONGEST])


@step("ask.offer")
def _offer_answered(context: Context, data: str) -> list[Outgoing]:
    text = context.state["message"]
    context.finish()
    if data == "no":
        return [Outgoing(context.t("Not sent. Send /trogiup to see what I can do."))]
    return [send_question(context, text)]


def open_questions(context: Context) -> Outgoing:
    t = context.t
    rows = context.session.exec(
        select(OfficeQuestion, Person.name, OrgUnit.name)
        .join(Person, Person.id == OfficeQuestion.person_id)
        .join(OrgUnit, OrgUnit.id == OfficeQuestion.village_id)
        .where(OfficeQuestion.commune_id.in_([c.id for c in context.communes()]), OfficeQuestion.answered_at.is_(None))
        .order_by(OfficeQuestion.asked_at, OfficeQuestion.id).limit(SHOWN)).all()
    if not rows:
        return Outgoing(t("No questions are waiting for an answer. 👍"))
    lines = [t("❓ Questions waiting for an answer (oldest first):")]
    lines += [f"{question.id}. {t.day_month(context.local_date(question.asked_at))} · {name} ({village}): "
              f"{question.text[:200]}" for question, name, village in rows]
    lines.append(t("To answer: /traloi N your answer"))
    return Outgoing("\n".join(lines))


def answer_question(context: Context, args: str) -> list[Outgoing]:
    """`/traloi N text`: the answer goes to the member's chat; the question is closed."""
    t, session = context.t, context.session
    number, _, answer = args.strip().partition(" ")
    question = session.get(OfficeQuestion, int(number)) if number.isdecimal() and len(number) <= 9 else None
    if question is None or question.commune_id not in {c.id for c in context.communes()}:
        return [Outgoing(t("There is no question {number}. Send /hoi to see the open questions, "
                           "then /traloi N your answer.", number=number or "?"))]
    if not answer.strip():
        return [Outgoing(t("Write the answer after the number: /traloi {number} your answer.", number=question.id))]
    if question.answered_at is not None:
        return [Outgoing(t("Question {number} was already answered on {day}: {answer}", number=question.id,
                           day=t.date(context.local_date(question.answered_at)), answer=question.answer))]
    member = session.get(Person, question.person_id)
    question.answered_at, question.answered_by, question.answer = context.now, context.person.id, answer.strip()[:LONGEST]
    session.add(question)
    tm = translator(member.locale)
    if context.notify(member.id, question.channel, Outgoing(tm(ANSWER, question=question.text[:200], answer=question.answer))):
        return [Outgoing(t("✅ Answer sent to {name}.", name=member.name))]
    return [Outgoing(t("Answer kept, but {name} cannot be reached on {channel}: please tell them.",
                       name=member.name, channel=question.channel))]
