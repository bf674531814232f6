"""The guides in docs/ stay true where a machine can tell: the chat commands and the `tocds`
command lines they name exist, their links lead somewhere, and the member's guide's dialogues
are what the bot answers."""

import argparse
import re
from pathlib import Path

import pytest

from helpers import NOW, Chatter, incoming, send
from tocds.bot.channels import render
from tocds.bot.cli import build_parser
from tocds.handlers.commands import COMMANDS
from tocds.models import Role

ROOT = Path(__file__).resolve().parent.parent
DOCS = sorted([ROOT / "README.md", *(ROOT / "docs").glob("*.md")])
GUIDES = sorted((ROOT / "docs").glob("huong-dan-*.md"))
MEMBER_GUIDE = ROOT / "docs" / "huong-dan-thanh-vien.md"

BOTFATHER = {"newbot", "setprivacy"}  # what the operator says to Telegram's @BotFather, not to tocds

CODE = re.compile(r"```[^\n]*\n(.*?)```|`([^`\n]+)`", re.DOTALL)
SLASH_COMMAND = re.compile(r"(?<![\w/:.~-])/([a-z]+)\b(?![/.@])")
# `tocds db upgrade`, `venv/bin/tocds db upgrade`; not the user (`sudo -u tocds sh`) or a folder named so
TOCDS_LINE = re.compile(r"(?:^|(?<=[\s`(])|(?<=bin/))(?<!-u )tocds((?: [a-z][a-z-]*)+)", re.MULTILINE)
LINK = re.compile(r"\]\(([^)\s]+)\)")


def code_of(path: Path) -> str:
    """The inline code and code blocks of a page: where commands are written."""
    return "\n".join(block or span for block, span in CODE.findall(path.read_text(encoding="utf-8")))


def cli_tree(parser: argparse.ArgumentParser) -> dict:
    """The `tocds` parser's commands, each with its own: {"db": {"upgrade": {}, …}, …}."""
    return {name: cli_tree(sub) for action in parser._actions if isinstance(action, argparse._SubParsersAction)
            for name, sub in action.choices.items()}


def command_named(words: str, tree: dict) -> str:
    """The command the words after `tocds` name (`admin import x.csv`: `admin import`); a word
    where the parser wants a command's name is taken for one, so that a wrong one shows."""
    path = []
    for word in words.split():
        if not tree:
            break
        path.append(word)
        tree = tree.get(word, {})
    return " ".join(path)


def paths(tree: dict, prefix: str = "") -> set[str]:
    return {path for name, sub in tree.items() for path in {prefix + name} | paths(sub, prefix + name + " ")}


@pytest.mark.parametrize("guide", GUIDES, ids=lambda path: path.name)
def test_every_chat_command_a_guide_names_exists(guide):
    named = set(SLASH_COMMAND.findall(code_of(guide)))
    assert named, "a guide that names no command: is the pattern still right?"
    assert named - COMMANDS.keys() - BOTFATHER == set()


@pytest.mark.parametrize("page", DOCS, ids=lambda path: path.name)
def test_every_tocds_command_a_page_names_exists(page):
    tree = cli_tree(build_parser())
    named = {command_named(words, tree) for words in TOCDS_LINE.findall(code_of(page))}
    assert named - paths(tree) == set()


def anchors(path: Path) -> set[str]:
    """GitHub's anchors for a page's headings: lower case, spaces to `-`, punctuation dropped."""
    headings = re.findall(r"^#+ (.+)$", CODE.sub("", path.read_text(encoding="utf-8")), re.MULTILINE)
    return {re.sub(r"[^\w\- ]", "", heading.lower()).replace(" ", "-") for heading in headings}


@pytest.mark.parametrize("page", DOCS, ids=lambda path: path.name)
def test_every_relative_link_leads_to_a_page_and_heading_there(page):
    links = [link for link in LINK.findall(page.read_text(encoding="utf-8")) if "://" not in link]
    for link in links:
        target, _, anchor = link.partition("#")
        target = (page.parent / target).resolve() if target else page
        assert target.is_file(), f"{page.name}: {link} leads nowhere"
        assert not anchor or anchor in anchors(target), f"{page.name}: no heading for #{anchor} in {target.name}"


def dialogues(path: Path) -> list[list[tuple[str, str]]]:
    """The code blocks of a guide that hold a conversation, as (who, text) lines: `Bạn` or `Bot`."""
    found = []
    for block, _ in CODE.findall(path.read_text(encoding="utf-8")):
        lines = re.findall(r"^(Bạn|Bot): (.+)$", block, re.MULTILINE)
        if lines:
            found.append(lines)
    return found


def comparable(text: str) -> str:
    """Days and spacing aside: the guide was written on another day than the tests' clock."""
    return " ".join(re.sub(r"\d{1,2}/\d{1,2}(?:/\d{4})?", "DAY", text).split())


@pytest.mark.parametrize("number", range(len(dialogues(MEMBER_GUIDE))))
def test_the_member_guides_dialogues_are_what_the_bot_answers(session, commune, number):
    """Each dialogue, from a new member of Thôn Tân Hòa: every bot line the guide shows is in the
    bot's answer to the message before it (the guide may leave lines out). `📷` is a photo whose
    caption follows."""
    lan = Chatter(session, "Lan", [commune.villages["Thôn Tân Hòa"]], Role.MEMBER)
    answer = ""
    for message_number, (who, text) in enumerate(dialogues(MEMBER_GUIDE)[number]):
        if who == "Bot":
            assert comparable(text) in answer, f"the bot answers:\n{answer}"
        elif text.startswith("📷"):
            photo = incoming("lan", text.removeprefix("📷").strip(), f"photo-{message_number}", kind="photo",
                             attachment=f"file-{message_number}")
            answer = comparable(" ".join(render(reply) for reply in send(session, photo, NOW)))
        else:
            answer = comparable(lan.say(text))
