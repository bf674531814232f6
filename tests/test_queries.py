"""Totals, completeness and progress against entries added up independently."""

import uuid
from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from helpers import MONDAY, NOW, TODAY, Chatter, add_target, live_counts, make_commune
from tocds.models import Role
from tocds.models.entries import Entry, EntryCount
from tocds.models.people import Person
from tocds.models.progress import Progress, Status
from tocds.models.queries import (
    commune_table,
    communes_overall,
    communes_progress,
    indicators,
    progress,
    reported_village_ids,
    totals,
    weekly_history,
)

START, DEADLINE = date(2026, 1, 1), date(2026, 12, 31)


def line(baseline, gain, target, start=START, deadline=DEADLINE):
    return Progress("vneid", baseline, gain, target, start, deadline)


# The seed-004 rule ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("progress_line", "today", "status"),
    [
        # Overdue: the deadline passed short of the target.
        (line(0, 99, 100), date(2027, 1, 1), Status.RED),
        (line(0, 100, 100), date(2027, 1, 1), Status.GREEN),
        # Half-way through the year 50 of 100 is expected (182 of 364 days).
        (line(0, 24, 100), date(2026, 7, 2), Status.RED),  # below 50% of expected
        (line(0, 25, 100), date(2026, 7, 2), Status.YELLOW),  # exactly 50% of expected
        (line(0, 49, 100), date(2026, 7, 2), Status.YELLOW),
        (line(0, 50, 100), date(2026, 7, 2), Status.GREEN),  # on the time-line
        # The expected gain runs from the baseline, not from zero.
        (line(60, 10, 100), date(2026, 7, 2), Status.YELLOW),  # 10 of 20 expected
        (line(60, 9, 100), date(2026, 7, 2), Status.RED),
        # On the start day nothing is expected yet; a baseline above the target is done.
        (line(0, 0, 100), START, Status.GREEN),
        (line(120, 0, 100), date(2026, 7, 2), Status.GREEN),
        # No target, or a day before its start: no colour.
        (line(0, 5, None, None, None), date(2026, 7, 2), None),
        (line(0, 0, 100), START - timedelta(days=1), None),
    ],
)
def test_status_follows_the_seed_004_rule(progress_line, today, status):
    assert progress_line.status(today) == status


def test_exactly_half_of_expected_is_yellow_not_red():
    half_year = line(0, 0, 100)
    today = date(2026, 7, 2)
    expected = half_year.expected_gain(today)
    assert expected == pytest.approx(50)
    assert line(0, expected / 2, 100).status(today) == Status.YELLOW


# Totals and completeness --------------------------------------------------------------


@pytest.fixture
def people(session, commune):
    return {
        name: Chatter(session, name, [commune.villages[village]], Role.MEMBER)
        for name, village in (("Lan", "Thôn Tân Hòa"), ("Hòa", "Thôn Phú Lợi"))
    }


def test_commune_table_has_every_village_and_indicator_with_zeros(session, commune, people):
    people["Lan"].say("ho 3 vneid 5")
    people["Lan"].say("vneid 2", NOW - timedelta(days=1))
    people["Lan"].say("vneid 7", NOW - timedelta(days=7))  # last week: outside
    people["Hòa"].say("ssk 4")
    people["Hòa"].say("bdhvs 9")
    people["Hòa"].say("/xoa")
    people["Hòa"].say("1")  # taken back: excluded
    rows = commune_table(session, commune.unit.id, MONDAY, MONDAY + timedelta(days=6))
    assert len(rows) == 2 * 7
    table = {(village, key): count for village, key, count in rows}
    assert table[("Thôn Tân Hòa", "ho")] == 3
    assert table[("Thôn Tân Hòa", "vneid")] == 7
    assert table[("Thôn Phú Lợi", "ssk")] == 4
    assert table[("Thôn Phú Lợi", "bdhvs")] == 0
    assert sum(table.values()) == 3 + 7 + 4
    assert [village for village, _, _ in rows[::7]] == ["Thôn Tân Hòa", "Thôn Phú Lợi"]


def test_another_communes_villages_stay_out(session, commune, people):
    other = make_commune(session, "Xã Khác", {"Thôn Ngoài": (10, 10, 10, 10)})
    Chatter(session, "Xa", [other.villages["Thôn Ngoài"]], Role.MEMBER).say("vneid 5")
    people["Lan"].say("vneid 1")
    rows = commune_table(session, commune.unit.id, MONDAY, TODAY)
    assert {village for village, _, _ in rows} == {"Thôn Tân Hòa", "Thôn Phú Lợi"}
    assert sum(count for _, _, count in rows) == 1


def test_totals_match_the_entries(session, commune, people):
    people["Lan"].say("ho 3 vneid 5")
    people["Hòa"].say("vneid 4 ssk 1")
    ids = [v.id for v in commune.villages.values()]
    assert totals(session, ids, MONDAY, TODAY) == live_counts(session) == {"ho": 3, "vneid": 9, "ssk": 1}


def test_weekly_history_counts_weeks_and_the_largest(session, commune, people):
    village = commune.villages["Thôn Tân Hòa"]
    for days_back, count in [(21, 4), (20, 3), (14, 10), (1, 50)]:
        people["Lan"].say(f"vneid {count}", NOW - timedelta(days=days_back))
    # 21 and 20 days back are one week (4 + 3); this week's 50 is not "before".
    assert weekly_history(session, village.id, "vneid", MONDAY) == (2, 10)


def test_reported_villages_are_those_with_entries_or_nothing(session, commune, people):
    people["Lan"].say("vneid 1")
    ids = [v.id for v in commune.villages.values()]
    assert reported_village_ids(session, ids, MONDAY) == {commune.villages["Thôn Tân Hòa"].id}
    people["Hòa"].say("/khong")
    assert reported_village_ids(session, ids, MONDAY) == set(ids)
    assert reported_village_ids(session, ids, MONDAY - timedelta(weeks=1)) == set()


# Progress ------------------------------------------------------------------------------


def test_progress_counts_entries_from_the_start_and_the_villages_own_target(session, commune, people):
    village = commune.villages["Thôn Tân Hòa"]
    add_target(session, village, "vneid", baseline=50, percent=50, start=date(2026, 11, 20))
    people["Lan"].say("vneid 9", NOW - timedelta(days=6))  # 19/11: before the start
    people["Lan"].say("vneid 5", NOW - timedelta(days=2))
    people["Lan"].say("vneid 2")
    vneid = progress(session, [village], TODAY)[village.id]["vneid"]
    assert (vneid.baseline, vneid.gain, vneid.target) == (50, 7, 200)  # 50% of 400 people
    assert vneid.ratio == pytest.approx(57 / 200)


def test_a_commune_target_is_shared_out_by_denominator(session, commune, people):
    add_target(session, commune.unit, "vneid", baseline=700, percent=80)
    add_target(session, commune.unit, "dvc", baseline=10, count=100)
    villages = list(commune.villages.values())
    result = progress(session, villages, TODAY)
    tan_hoa, phu_loi = (result[v.id] for v in villages)
    # Populations 400 and 300: baselines 400 and 300 of the commune's 700.
    assert tan_hoa["vneid"].baseline == pytest.approx(400)
    assert phu_loi["vneid"].baseline == pytest.approx(300)
    assert (tan_hoa["vneid"].target, phu_loi["vneid"].target) == (320, 240)
    # dvc has no denominator: shared equally between the two villages.
    assert tan_hoa["dvc"].target == phu_loi["dvc"].target == 50
    assert tan_hoa["dvc"].baseline == 5
    total = Progress.total([tan_hoa["vneid"], phu_loi["vneid"]])
    assert (total.baseline, total.target) == (pytest.approx(700), 560)


def test_progress_without_a_target_counts_everything_and_has_no_colour(session, commune, people):
    village = commune.villages["Thôn Tân Hòa"]
    people["Lan"].say("ho 4", NOW - timedelta(days=10))
    people["Lan"].say("ho 1")
    ho = progress(session, [village], TODAY)[village.id]["ho"]
    assert (ho.gain, ho.target, ho.status(TODAY)) == (5, None, None)


def test_a_village_without_denominators_shows_counts_only(session):
    bare = make_commune(session, "Xã Mới", {"Thôn Trống": (None, None, None, None)})
    village = bare.villages["Thôn Trống"]
    add_target(session, bare.unit, "vneid", baseline=10, percent=80)
    Chatter(session, "Ba", [village], Role.MEMBER).say("vneid 3")
    vneid = progress(session, [village], TODAY)[village.id]["vneid"]
    assert (vneid.gain, vneid.target, vneid.status(TODAY)) == (3, None, None)


# A commune's progress, worked out per commune -------------------------------------------

FIGURE_VALUES = st.one_of(st.none(), st.just(0), st.integers(1, 500))
DAYS = st.sampled_from([date(2025, 12, 20), START, date(2026, 3, 1), date(2026, 9, 9), TODAY,
                        TODAY + timedelta(days=3)])
GOALS = st.one_of(st.tuples(st.integers(1, 100), st.none()), st.tuples(st.none(), st.integers(1, 900)),
                 st.tuples(st.integers(1, 100), st.integers(1, 900)))  # (percent, count): one at least
SPANS = st.sampled_from([(START, DEADLINE), (date(2026, 3, 1), date(2026, 6, 30)), (TODAY + timedelta(days=2), DEADLINE)])
TARGETS = st.builds(lambda baseline, goal, span: (baseline, *goal, *span), st.integers(0, 60), GOALS, SPANS)


@st.composite
def communes_with_targets(draw):
    """Villages with and without their figures (or 0), commune targets by percent or count (or
    both, or neither), some villages with their own, counts before a start and after today."""
    communes = []
    for _ in range(draw(st.integers(1, 3))):
        villages = [(draw(st.tuples(FIGURE_VALUES, FIGURE_VALUES, FIGURE_VALUES, FIGURE_VALUES)),
                     draw(st.dictionaries(st.integers(0, 6), TARGETS, max_size=2)),
                     draw(st.lists(st.tuples(DAYS, st.integers(0, 6), st.integers(1, 40)), max_size=4)))
                    for _ in range(draw(st.integers(1, 4)))]
        communes.append((villages, draw(st.dictionaries(st.integers(0, 6), TARGETS, max_size=7))))
    return communes


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(plan=communes_with_targets())
def test_a_communes_progress_is_what_its_villages_lines_add_up_to(session, plan):
    keys = [i.key for i in indicators(session)]
    person = Person(name="Lan")
    session.add(person)
    session.flush()
    made = []
    for villages, commune_targets in plan:
        named = {f"Thôn {n}": figures for n, (figures, _, _) in enumerate(villages)}
        commune = make_commune(session, f"Xã {uuid.uuid4().hex[:8]}", named)
        made.append(commune.unit.id)
        for place, (baseline, percent, count, start, deadline) in commune_targets.items():
            add_target(session, commune.unit, keys[place % len(keys)], baseline=baseline, percent=percent,
                       count=count, start=start, deadline=deadline)
        for (_, own_targets, counts), village in zip(villages, commune.villages.values(), strict=True):
            for place, (baseline, percent, count, start, deadline) in own_targets.items():
                add_target(session, village, keys[place % len(keys)], baseline=baseline, percent=percent,
                           count=count, start=start, deadline=deadline)
            for n, (day, place, count) in enumerate(counts):
                entry = Entry(person_id=person.id, village_id=village.id, day=day, channel="console",
                              chat_id="c", message_id=uuid.uuid4().hex)
                session.add(entry)
                session.flush()
                session.add(EntryCount(entry_id=entry.id, village_id=village.id, day=day, person_id=person.id,
                                       indicator_key=keys[(place + n) % len(keys)], count=count))
        session.commit()

    villages, lines = communes_progress(session, made, TODAY)
    same_villages, overall = communes_overall(session, made, TODAY)
    assert same_villages == villages
    for commune in made:
        of_villages = [lines[v.id] for v in villages if v.parent_id == commune]
        for key in keys:
            added = Progress.total([village[key] for village in of_villages])
            found = overall[commune][key]
            assert (found.indicator_key, found.gain, found.start, found.deadline) == (
                added.indicator_key, added.gain, added.start, added.deadline)
            assert found.baseline == pytest.approx(added.baseline)
            assert (found.target is None) == (added.target is None)
            if added.target is not None:
                assert found.target == pytest.approx(added.target)
