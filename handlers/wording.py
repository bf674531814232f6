"""How counts are written in replies, the same in every conversation."""

from collections.abc import Iterable
from datetime import date

from sqlmodel import Session

from ..figures.wording import counts_text, short_names
from ..locales import Translator
from ..models import OrgUnit
from ..models.periods import week_of
from ..models.queries import indicators, totals, tracked, words_for
from ..models.text import fold
from .context import Context


def labels(context: Context, t: Translator | None = None) -> dict[str, str]:
    """Short names of every indicator ever counted, retired ones too, in the reader's language
    (`t`, the sender's by default), in catalog order: for naming stored counts."""
    return short_names(context.session, (t or context.t).language)


def tracked_labels(context: Context, *commune_ids: int) -> dict[str, str]:
    """Short names of the indicators the communes track, in their order (the first commune's
    first): what is offered and shown."""
    return {i.key: i.short(context.t.language) for commune_id in commune_ids for i in tracked(context.session, commune_id)}


EXAMPLE_COUNTS = (12, 5, 3)


def example_report(session: Session, commune_ids: Iterable[int], size: int = 3) -> str:
    """A report members of these communes could send as it is, from the first indicators they
    track (`hộ 12 vneid 5 bdhvs 3`, `cáp quang 12 cửa hàng qr 5`)."""
    words = words_for(session, commune_ids)
    catalog = {i.key: i for i in indicators(session)}
    keys = list(dict.fromkeys(i.key for commune_id in commune_ids for i in tracked(session, commune_id)))
    if not keys:
        keys = [key for key, indicator in catalog.items() if indicator.retired_at is None]

    def written(key: str) -> str:
        """The alias that spells the key with its accents (`hộ`, `cáp quang`); else a key
        that is one plain word (`vneid`); else the short name, if members may write it."""
        meaning = [word for word, meant in words.items() if meant == key and word != key]
        spelled = next((word for word in meaning if fold(word).replace(" ", "_") == key), None)
        if spelled or "_" not in key:
            return spelled or key
        short = fold(catalog[key].short_vi)
        return next((word for word in meaning if fold(word) == short), key)

    return " ".join(f"{written(key)} {count}" for key, count in zip(keys[:size], EXAMPLE_COUNTS, strict=False))


def format_counts(context: Context, counts: dict[str, int], t: Translator | None = None) -> str:
    return counts_text(context.session, counts, t or context.t)


def week_line(context: Context, village: OrgUnit, day: date) -> str:
    """The village's totals for the week of that day."""
    week = week_of(day)
    week_totals = totals(context.session, [village.id], week.first, week.last)
    t = context.t
    return t("Week {first}–{last}, {village}: {totals}", first=t.day_month(week.first),
             last=t.day_month(week.last), village=village.name,
             totals=format_counts(context, week_totals) or t("nothing yet"))
