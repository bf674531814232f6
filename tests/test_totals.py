"""The running totals: kept with the counts on every path, and what progress makes of them."""

import sqlite3
import threading
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select
from sqlmodel import Session

from helpers import NOW, TODAY, Chatter, add_target, make_commune, totals_drift
from tocds.models import CommuneWeekTotal, Entry, EntryCount, Person, Role, VillageTotal
from tocds.models.db import alembic_config, get_engine, get_writer, upgrade
from tocds.models.periods import week_of
from tocds.models.queries import progress, villages_weekly_counts, weekly_counts
from tocds.models.summary import weekly_summaries, weekly_summary
from tocds.models.totals import rebuild


def add_counts(session: Session, village, person_id: int, message: str, day: date, **counts) -> list[EntryCount]:
    entry = Entry(person_id=person_id, village_id=village.id, day=day, channel="console",
                  chat_id=str(person_id), message_id=message)
    session.add(entry)
    session.flush()
    rows = [EntryCount(entry_id=entry.id, village_id=village.id, day=day, person_id=person_id, indicator_key=key,
                       count=count)
            for key, count in counts.items()]
    session.add_all(rows)
    session.commit()
    return rows


def person_id(session: Session, name: str) -> int:
    return session.execute(select(Person.id).where(Person.name == name)).scalar_one()


def totals(session: Session) -> dict[tuple[int, str], int]:
    return {(t.village_id, t.indicator_key): t.total for t in session.exec(select(VillageTotal)).scalars()}


def weeks(session: Session) -> dict[tuple[int, date, str], int]:
    return {(t.commune_id, t.week_start, t.indicator_key): t.total for t in session.exec(select(CommuneWeekTotal)).scalars()}


@pytest.fixture
def lan(session, commune):
    return Chatter(session, "Lan", [commune.villages["Thôn Tân Hòa"]], Role.MEMBER)


def test_every_orm_change_of_a_count_moves_its_total(session, commune, lan):
    village = commune.villages["Thôn Tân Hòa"]
    lan.say("vneid 5 ho 2")
    vneid, ho = add_counts(session, village, person_id(session, "Lan"), "x1", TODAY, vneid=4, ho=1)
    assert totals(session) == {(village.id, "vneid"): 9, (village.id, "ho"): 3}
    vneid.count = 10  # an edit
    ho.deleted_at = NOW  # a deletion (a mark, as /xoa does)
    session.commit()
    assert totals(session) == {(village.id, "vneid"): 15, (village.id, "ho"): 2}
    ho.deleted_at = None  # taken back again
    ho.count = 6
    session.commit()
    session.delete(vneid)  # tocds never deletes a row, but a total must not care
    session.commit()
    assert totals(session) == {(village.id, "vneid"): 5, (village.id, "ho"): 8}
    assert totals_drift(session) == {}


def test_a_count_moved_to_another_week_or_commune_moves_its_weekly_total(session, commune, lan):
    other = make_commune(session, "Xã Bình An", {"Thôn Một": (50, 200, 150, 160)})
    [vneid] = add_counts(session, commune.villages["Thôn Tân Hòa"], person_id(session, "Lan"), "x1", TODAY, vneid=4)
    monday = TODAY - timedelta(days=TODAY.weekday())
    assert weeks(session) == {(commune.unit.id, monday, "vneid"): 4}
    vneid.day = monday - timedelta(days=1)  # the Sunday before
    session.commit()
    assert {key: total for key, total in weeks(session).items() if total} == \
        {(commune.unit.id, monday - timedelta(weeks=1), "vneid"): 4}
    vneid.village_id = other.villages["Thôn Một"].id
    session.commit()
    assert {key: total for key, total in weeks(session).items() if total} == \
        {(other.unit.id, monday - timedelta(weeks=1), "vneid"): 4}
    assert totals_drift(session) == {}


def test_weekly_counts_read_whole_weeks_from_the_totals_and_cut_weeks_from_the_counts(session, commune, lan):
    """Whatever days first..last cut, the communes' weeks are those their counts add up to."""
    other = make_commune(session, "Xã Bình An", {"Thôn Một": (50, 200, 150, 160)})
    lan_id = person_id(session, "Lan")
    villages = [*commune.villages.values(), other.villages["Thôn Một"]]
    for n in range(30):  # a count every other day over two months, one in three taken back
        day = TODAY - timedelta(days=2 * n)
        [count] = add_counts(session, villages[n % 3], lan_id, f"d{n}", day, **{("vneid", "ho")[n % 2]: n + 1})
        if n % 3 == 2:
            count.deleted_at = NOW
    session.commit()
    communes = [commune.unit.id, other.unit.id]
    ids = [v.id for v in villages]
    spans = [(TODAY - timedelta(days=back), TODAY - timedelta(days=ahead))
             for back, ahead in ((60, 0), (56, 3), (13, 7), (9, 9), (20, 14), (6, 0), (45, 31))]
    for first, last in spans:
        assert weekly_counts(session, communes, first, last) == villages_weekly_counts(session, ids, first, last), \
            (first, last)
    assert weekly_counts(session, communes[1:], TODAY - timedelta(days=60), TODAY) == \
        villages_weekly_counts(session, ids[2:], TODAY - timedelta(days=60), TODAY)


def test_a_rolled_back_report_leaves_the_total_alone(session, commune, lan):
    village = commune.villages["Thôn Tân Hòa"]
    lan.say("vneid 5")
    entry = Entry(person_id=person_id(session, "Lan"), village_id=village.id, day=TODAY, channel="console",
                  chat_id="x", message_id="x")
    session.add(entry)
    session.flush()
    session.add(EntryCount(entry_id=entry.id, village_id=village.id, day=TODAY, person_id=entry.person_id,
                           indicator_key="vneid", count=50))
    session.flush()
    session.rollback()
    assert totals(session) == {(village.id, "vneid"): 5}


def test_concurrent_reports_to_one_village_add_up(db_url, session, commune, lan):
    """Writers in parallel, each in its own session and transaction: no update lost."""
    village = commune.villages["Thôn Tân Hòa"]
    person = person_id(session, "Lan")
    errors: list[BaseException] = []

    def writer(n: int) -> None:
        try:
            for k in range(20):
                with Session(get_writer(db_url)) as own:
                    add_counts(own, village, person, f"w{n}-{k}", TODAY, vneid=1, bdhvs=2)
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    session.rollback()  # a fresh snapshot
    assert totals(session) == {(village.id, "vneid"): 80, (village.id, "bdhvs"): 160}
    assert totals_drift(session) == {}  # the commune's week too


def test_rebuild_counts_what_was_written_around_the_orm(session, commune, lan):
    lan.say("vneid 5 ho 2")
    lan.say("ho 1")
    kept, weekly = totals(session), weeks(session)
    session.execute(VillageTotal.__table__.update().values(total=0))  # as if loaded in bulk
    session.execute(CommuneWeekTotal.__table__.delete())
    rebuild(session)
    session.commit()
    assert (totals(session), weeks(session)) == (kept, weekly) and totals_drift(session) == {}


def test_the_migration_counts_the_existing_entries(tmp_path):
    from alembic import command

    url = f"sqlite:///{tmp_path / 'old.db'}"
    config = alembic_config(url)
    with get_writer(url).begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0005")  # before the running totals
    with sqlite3.connect(tmp_path / "old.db") as old:
        old.executescript("""
            INSERT INTO org_unit (id, parent_id, level, name, name_key, timezone, requires_evidence)
                VALUES (1, NULL, 'commune', 'X', 'x', 'Asia/Ho_Chi_Minh', 0),
                       (2, 1, 'village', 'T', 't', NULL, 0);
            INSERT INTO person (id, name, locale, created_at) VALUES (1, 'P', 'vi', '2026-11-01 00:00:00.000000');
            INSERT INTO entry (id, person_id, village_id, day, channel, chat_id, message_id, created_at)
                VALUES (1, 1, 2, '2026-11-02', 'console', '1', '1', '2026-11-02 00:00:00.000000'),
                       (2, 1, 2, '2026-11-08', 'console', '1', '2', '2026-11-08 00:00:00.000000'),
                       (3, 1, 2, '2026-11-09', 'console', '1', '3', '2026-11-09 00:00:00.000000');
            INSERT INTO entry_count (id, entry_id, village_id, day, indicator_key, count, deleted_at)
                VALUES (1, 1, 2, '2026-11-02', 'vneid', 4, NULL), (2, 1, 2, '2026-11-02', 'ho', 9, NULL),
                       (3, 1, 2, '2026-11-02', 'bdhvs', 7, '2026-11-03 00:00:00.000000'),
                       (4, 2, 2, '2026-11-08', 'cks', 2, NULL), (5, 3, 2, '2026-11-09', 'ho', 1, NULL);
        """)
    upgrade(url)
    with Session(get_engine(url)) as session:
        assert totals(session) == {(2, "vneid"): 4, (2, "ho"): 10, (2, "cks"): 2}
        # 0020: the commune's weeks (Sunday 8/11 in the week of Monday 2/11)
        assert weeks(session) == {(1, date(2026, 11, 2), "vneid"): 4, (1, date(2026, 11, 2), "ho"): 9,
                                  (1, date(2026, 11, 2), "cks"): 2, (1, date(2026, 11, 9), "ho"): 1}
    get_engine(url).dispose()


# Progress from the totals --------------------------------------------------------------


def test_counts_outside_the_span_are_taken_off_each_pair_by_its_own_start(session, commune, lan):
    """A commune target from 1/1, Tân Hòa's own from 20/11; counts before a start or after
    the day asked for are not gains, whatever the running total holds."""
    tan_hoa, phu_loi = commune.villages["Thôn Tân Hòa"], commune.villages["Thôn Phú Lợi"]
    add_target(session, commune.unit, "vneid", percent=80, start=date(2026, 1, 1))
    add_target(session, tan_hoa, "vneid", percent=50, start=date(2026, 11, 20))
    mai = Chatter(session, "Mai", [phu_loi], Role.MEMBER)
    for chatter in (lan, mai):
        chatter.say("vneid 1", NOW - timedelta(days=10))  # 15/11: before Tân Hòa's start only
        chatter.say("vneid 2", NOW - timedelta(days=3))  # 22/11
        chatter.say("vneid 4 ho 8")  # 25/11
    add_counts(session, phu_loi, person_id(session, "Mai"), "old", date(2025, 12, 31), vneid=16)  # before 1/1

    def gains(today: date) -> dict[tuple[str, str], int]:
        lines = progress(session, [tan_hoa, phu_loi], today)
        return {(village.name, p.indicator_key): p.gain
                for village in (tan_hoa, phu_loi) for p in lines[village.id].values() if p.indicator_key in ("vneid", "ho")}

    assert gains(TODAY) == {("Thôn Tân Hòa", "vneid"): 6, ("Thôn Phú Lợi", "vneid"): 7,
                            ("Thôn Tân Hòa", "ho"): 8, ("Thôn Phú Lợi", "ho"): 8}
    # Asked as of 23/11: the counts of 25/11 are not gains yet ("ho", without a target,
    # counts everything up to that day).
    assert gains(date(2026, 11, 23)) == {("Thôn Tân Hòa", "vneid"): 2, ("Thôn Phú Lợi", "vneid"): 3,
                                         ("Thôn Tân Hòa", "ho"): 0, ("Thôn Phú Lợi", "ho"): 0}


def test_a_province_at_once_is_each_commune_on_its_own(session, commune, lan):
    other = make_commune(session, "Xã Bình An", {"Thôn Một": (50, 200, 150, 160), "Thôn Hai": (60, 240, 170, 180)})
    other.unit.requires_evidence = True
    session.commit()
    add_target(session, commune.unit, "vneid", percent=80)
    add_target(session, other.villages["Thôn Hai"], "ho", count=40)
    Chatter(session, "Ba", [other.villages["Thôn Hai"]], Role.MEMBER).say("ho 5 vneid 2")
    lan.say("vneid 3")
    lan.say("/khong", NOW - timedelta(weeks=1))
    week = week_of(TODAY)
    together = weekly_summaries(session, [commune.unit, other.unit], week, TODAY)
    alone = [weekly_summary(session, unit, week, TODAY) for unit in (commune.unit, other.unit)]
    assert together == alone
    assert [s.totals for s in together] == [{"vneid": 3}, {"ho": 5, "vneid": 2}]
    assert [s.verified_totals for s in together] == [None, {}]
    assert weekly_summaries(session, [], week, TODAY) == []


def test_totals_and_entries_agree_after_a_busy_week(session, commune, lan):
    """The independent reckoning, once more, against SQL's own."""
    lan.say("vneid 5 ho 2")
    lan.say("/xoa")
    lan.say("1")
    lan.say("bdhvs 3")
    pairs = session.execute(
        select(EntryCount.village_id, EntryCount.indicator_key, func.sum(EntryCount.count))
        .where(EntryCount.deleted_at.is_(None)).group_by(EntryCount.village_id, EntryCount.indicator_key)).all()
    assert {(v, k): t for v, k, t in pairs} == {p: t for p, t in totals(session).items() if t}
