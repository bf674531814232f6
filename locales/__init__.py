"""Translations and number/date formatting for the reader's language.

Catalogs are Babel gettext catalogs (`messages.po`, compiled to `messages.mo`) under
`locales/<lang>/LC_MESSAGES/`, shipped inside the installed package.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import cache, lru_cache
from importlib import resources

from babel import Locale
from babel.dates import format_date
from babel.numbers import format_decimal, format_percent
from babel.support import NullTranslations, Translations

LANGUAGES = ("vi", "en")
DEFAULT_LANGUAGE = "vi"
DOMAIN = "messages"


@cache
def load_catalog(language: str) -> NullTranslations:
    """The compiled catalog; Babel returns an empty NullTranslations when it is missing."""
    directory = resources.files(__name__)
    return Translations.load(str(directory), [language], domain=DOMAIN)


@cache
def babel_locale(language: str) -> Locale:
    """Parsed once: Babel parses a locale given by name again for every number it writes
    (a province's summary writes thousands)."""
    return Locale.parse(language)


# Babel writes a number in some 50 µs, and a province's pages write thousands of them, mostly
# the same few (counts, whole percents, days): each is written once per language and kept.
WRITTEN = 8192  # how many of each kind are kept, per process


@lru_cache(maxsize=WRITTEN, typed=True)
def _number(language: str, value: float) -> str:
    return format_decimal(value, locale=babel_locale(language))


@lru_cache(maxsize=WRITTEN)
def _percent(language: str, whole: Decimal, negative: bool) -> str:
    """`whole` percent (Decimal's -0 and 0 are equal as keys: `negative` tells them apart)."""
    return format_percent(whole.scaleb(-2), format="#,##0%", locale=babel_locale(language))


@lru_cache(maxsize=WRITTEN)
def _date(language: str, day: date, pattern: str) -> str:
    return format_date(day, pattern, locale=babel_locale(language))


@dataclass(frozen=True)
class Translator:
    """Everything a reply needs to speak one language."""

    language: str

    def __call__(self, message: str, **values) -> str:
        text = load_catalog(self.language).gettext(message)
        return text.format(**values) if values else text

    def plural(self, singular: str, plural: str, count: int, **values) -> str:
        """The catalog's form for `count` (`1 village has` / `2 villages have`; Vietnamese has
        one form), with `count` written as a number for the reader."""
        text = load_catalog(self.language).ngettext(singular, plural, count)
        return text.format(count=self.number(count), **values)

    def number(self, value: float) -> str:
        return _number(self.language, value)

    def percent(self, ratio: float) -> str:
        # Rounded as Babel rounds it (the ratio's decimal digits, half to even), then written once per whole percent.
        whole = Decimal(str(ratio)).scaleb(2).quantize(Decimal(1))
        return _percent(self.language, whole, whole.is_signed())

    def date(self, day: date) -> str:
        return _date(self.language, day, "dd/MM/yyyy" if self.language == "vi" else "d MMM yyyy")

    def day_month(self, day: date) -> str:
        return _date(self.language, day, "dd/MM" if self.language == "vi" else "d MMM")

    def span(self, first: date, last: date) -> str:
        """`30/11–06/12/2026`, `30 Nov–6 Dec 2026`: a week or a period, its year once when it has one."""
        if first == last:
            return self.date(first)
        if first.year != last.year:
            return f"{self.date(first)}–{self.date(last)}"
        return f"{self.day_month(first)}–{self.date(last)}"

    def weekday(self, day: date) -> str:
        """`Thứ Hai`, `Monday`: days are named, never numbered."""
        return _date(self.language, day, "EEEE")

    def weekday_and_day(self, day: date) -> str:
        """`Thứ Ba 24/11`, `Tuesday 24 Nov`: a day among others of its week, named."""
        return _date(self.language, day, "EEEE dd/MM" if self.language == "vi" else "EEEE d MMM")


def translator(language: str | None) -> Translator:
    return Translator(language if language in LANGUAGES else DEFAULT_LANGUAGE)


def N_(message: str) -> str:
    """Marks a string for extraction where it is translated later (tables of labels)."""
    return message
