"""The catalogs: complete in vi and en, compiled, shipped, and really loaded."""

import io
from importlib import resources
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po
from babel.support import Translations

from tocds.handlers.grammar import ERROR_CODES
from tocds.handlers.report import ERRORS
from tocds.locales import LANGUAGES, load_catalog, translator

ROOT = Path(__file__).resolve().parent.parent
CATALOGS = resources.files("tocds.locales")


def source_messages() -> set[str]:
    """Every string the code marks for translation, extracted the way babel.cfg says."""
    found = set()
    for folder in ("bot", "handlers", "models", "jobs", "figures", "web"):
        for _, _, message, _, _ in extract_from_dir(
            ROOT / folder, method_map=[("**.py", "python"), ("templates/**.html", "jinja2")],
            keywords={"t": None, "N_": None, "plural": (1, 2)}, comment_tags=()
        ):
            found.add(message)
    return found


def po(language: str):
    with CATALOGS.joinpath(language, "LC_MESSAGES", "messages.po").open("rb") as handle:
        return read_po(handle, locale=language)


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_string_in_the_code_is_translated(language):
    catalog = po(language)
    translated = {m.id: m.string for m in catalog if m.id and m.string and not m.fuzzy}
    missing = source_messages() - set(translated)
    assert not missing, f"untranslated in {language}: {sorted(missing)}"


def hashable(text: str | list | tuple) -> str | tuple:
    """A plural message's forms: a list as read from a .mo, a tuple from a .po."""
    return text if isinstance(text, str) else tuple(text)


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_compiled_catalog_matches_its_source(language):
    with CATALOGS.joinpath(language, "LC_MESSAGES", "messages.mo").open("rb") as handle:
        compiled = {hashable(m.id): hashable(m.string) for m in read_mo(handle) if m.id}
    source = {hashable(m.id): hashable(m.string) for m in po(language) if m.id and m.string}
    assert compiled == source, "run: pybabel compile -d locales -D messages"


@pytest.mark.parametrize("language", LANGUAGES)
def test_translations_keep_their_placeholders(language):
    def fields(text: str) -> set[str]:
        return {part.split("}")[0] for part in text.split("{")[1:]}

    for message in po(language):
        if message.pluralizable:  # every form keeps the singular's placeholders
            assert all(fields(form) == fields(message.id[0]) for form in (*message.id, *message.string)), message.id
        elif message.id:
            assert fields(message.string) == fields(message.id), message.id


def test_plural_forms_follow_the_count():
    forms = ("🔴 {count} village far behind: {villages}", "🔴 {count} villages far behind: {villages}")
    en, vi = translator("en"), translator("vi")
    assert en.plural(*forms, 1, villages="Thôn Hạ") == "🔴 1 village far behind: Thôn Hạ"
    assert en.plural(*forms, 1200, villages="…") == "🔴 1,200 villages far behind: …"
    assert vi.plural(*forms, 1, villages="Thôn Hạ") == "🔴 1 thôn chậm nhiều: Thôn Hạ"
    assert vi.plural(*forms, 1200, villages="…") == "🔴 1.200 thôn chậm nhiều: …"  # one form in Vietnamese


def test_the_english_catalog_is_really_loaded():
    # Babel falls back to NullTranslations (the msgids) when a .mo is missing; the English
    # msgids would then hide it, so check the catalog object itself.
    for language in LANGUAGES:
        catalog = load_catalog(language)
        assert isinstance(catalog, Translations)
        assert len(catalog._catalog) > 50
    assert translator("en")("Cancel") == "Cancel"
    assert translator("vi")("Cancel") == "Hủy"


def test_an_unknown_language_falls_back_to_vietnamese():
    assert translator("fr").language == "vi"
    assert translator(None)("Save") == "Lưu"


def test_numbers_and_dates_follow_the_reader():
    from datetime import date

    vi, en = translator("vi"), translator("en")
    assert (vi.number(1234), en.number(1234)) == ("1.234", "1,234")
    assert (vi.percent(0.8), en.percent(0.8)) == ("80%", "80%")
    assert vi.date(date(2026, 11, 22)) == "22/11/2026"
    assert en.date(date(2026, 11, 22)) == "22 Nov 2026"


@pytest.mark.parametrize("language", LANGUAGES)
def test_numbers_written_once_read_as_babel_writes_them(language):
    """Counts and percents are written once per value (`locales/__init__.py`), and still as
    Babel writes each one: a ratio rounds half to even on its decimal digits (28,5% → 28%,
    29,5% → 30%), whatever its float is."""
    from babel.numbers import format_decimal, format_percent

    t = translator(language)
    ratios = [n / 1000 for n in range(-1500, 3000)] + [0.285, 0.295, 0.125, 0.0, -0.0, -0.004, 1e-9, 12345.675]
    assert [t.percent(r) for r in ratios] == [format_percent(r, format="#,##0%", locale=language) for r in ratios]
    numbers = [0, 1, 1.0, 2.5, -3, 1234567, 12.3456, 6052.0]
    assert [t.number(n) for n in numbers] == [format_decimal(n, locale=language) for n in numbers]


def test_every_grammar_error_has_a_message():
    assert set(ERRORS) == set(ERROR_CODES)


def test_the_template_is_current():
    with open(ROOT / "locales" / "messages.pot", "rb") as handle:
        template = {m.id for m in read_po(io.BytesIO(handle.read())) if m.id}
    assert template == source_messages(), "run the extract step in docs/developers.md, Translations"
