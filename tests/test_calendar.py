"""The reporting calendar's jobs: the period reports sent when a period closes, and the
reminders before a report is due at the level above (`test_deadlines.py`: the deadlines)."""

import io
from datetime import UTC, date, datetime, time, timedelta

import pytest
from processes import Processes
from sqlmodel import select
from test_jobs import telegram_member

from helpers import NOW, Chatter, add_target
from tocds.figures.chart import trend_chart
from tocds.handlers.messages import Outgoing
from tocds.jobs import JOBS
from tocds.jobs.runner import run_job
from tocds.models import OutboxMessage, Role
from tocds.models.deadlines import import_deadlines

HCM = "Asia/Ho_Chi_Minh"
TAN_HOA, PHU_LOI = "Thôn Tân Hòa", "Thôn Phú Lợi"


def at_seven(day: date, hour: int = 7) -> datetime:
    """That day at `hour`:00 in Vietnam (UTC+7)."""
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC) - timedelta(hours=7)


def write(tmp_path, text: str, name="han-bao-cao.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def read_back(data: bytes):
    from openpyxl import load_workbook

    return load_workbook(io.BytesIO(data))


# The period reports -------------------------------------------------------------------------


def outbox(session):
    session.commit()
    return session.exec(select(OutboxMessage).order_by(OutboxMessage.id)).all()


def messages(session, run) -> list[Outgoing]:
    return [Outgoing.from_dict(m.payload) for m in outbox(session) if m.job_run_id == run.id]


@pytest.fixture
def office(session, commune):
    office = Chatter(session, "Chị Hạnh", [commune.unit], Role.OFFICE)
    office.say("/nhantin")
    return office


@pytest.fixture
def reported(session, commune):
    """Tân Hòa reported in November (on 25/11); Phú Lợi never did."""
    Chatter(session, "Lan", [commune.villages[TAN_HOA]], Role.MEMBER).say("vneid 5 ho 2", NOW)


def test_a_month_closes_and_its_report_goes_to_the_office(session, commune, office, reported):
    run = run_job(session, JOBS["period-report"], commune.unit, at_seven(date(2026, 12, 1)))
    assert (run.period, run.messages) == ("2026-11", 3)
    text, workbook, document = messages(session, run)
    first, _, *summary = text.text.split("\n")
    assert first == "🗓 Đã hết kỳ 2026-11 (01/11/2026–30/11/2026): số liệu và bảng tính của kỳ, để báo cáo cấp trên."
    assert summary[0] == "📊 Xã Đồng Phú — kỳ 2026-11 (01/11/2026–30/11/2026)"
    assert any(line.startswith("⚠️") and PHU_LOI in line for line in summary)
    assert workbook.attachment.name == "tocds-xa-dong-phu-2026-11.xlsx"
    assert "KPI" in read_back(workbook.attachment.content).sheetnames
    assert document.attachment.name == "tocds-xa-dong-phu-2026-11.docx"  # the report upward (test_report_document.py)
    assert document.attachment.content.startswith(b"PK")
    # Once per period: again the same day, by hand or by a second scheduler, sends nothing.
    assert run_job(session, JOBS["period-report"], commune.unit, at_seven(date(2026, 12, 1), 15)) is None
    # The next days' runs still cover November (a missed run is caught up): it went out already.
    assert run_job(session, JOBS["period-report"], commune.unit, at_seven(date(2026, 12, 2))) is None
    nothing = run_job(session, JOBS["period-report"], commune.unit, at_seven(date(2026, 12, 8)))
    assert (nothing.period, nothing.messages) == ("2026-12-08", 0)  # a week on, nothing closed lately


def test_a_period_report_missed_while_the_scheduler_was_down_goes_out_with_the_next_run(
        session, commune, office, reported):
    # The server was off from 31 December to the morning of 3 January.
    run = run_job(session, JOBS["period-report"], commune.unit, at_seven(date(2027, 1, 3)))
    assert run.period == "2026-12 2026-Q4 2026-H2 2026"
    first = messages(session, run)[0].text.split("\n")[0]
    assert first == "🗓 Đã hết kỳ 2026-12 (01/12/2026–31/12/2026): số liệu và bảng tính của kỳ, để báo cáo cấp trên."
    assert [m.attachment.name for m in messages(session, run) if m.attachment] == [
        f"tocds-xa-dong-phu-{label}.{kind}" for label in ("2026-12", "2026-Q4", "2026-H2", "2026")
        for kind in ("xlsx", "docx")]
    assert run_job(session, JOBS["period-report"], commune.unit, at_seven(date(2027, 1, 4))) is None


def test_a_period_report_shows_the_trend_of_the_first_indicator_with_a_target_once(
        session, commune, office, reported, monkeypatch):
    from tocds.jobs import period_report

    add_target(session, commune.unit, "vneid", baseline=20, percent=50, start=date(2026, 10, 1), deadline=date(2027, 6, 30))
    drawn = []
    monkeypatch.setattr(period_report, "trend_chart", lambda *args: drawn.append(args) or trend_chart(*args))
    run = run_job(session, JOBS["period-report"], commune.unit, at_seven(date(2027, 1, 1)))  # four periods close
    pictures = [m for m in messages(session, run) if m.attachment and m.attachment.kind == "picture"]
    assert [m.attachment.name for m in pictures] == ["tocds-xa-dong-phu-2026-12.png"]  # one, with the month's report
    assert pictures[0].attachment.content.startswith(b"\x89PNG\r\n\x1a\n")
    [(_, name, weekly, line, as_of)] = drawn  # one office, one language
    assert (name, as_of) == ("VNeID", date(2026, 12, 31))
    assert weekly == {date(2026, 11, 23): 5}  # Tân Hòa's 25/11, in its week; ho has no target
    assert line.achieved == 20 + 5


@pytest.mark.parametrize(
    ("day", "periods"),
    [
        (date(2027, 1, 1), ["2026-12", "2026-Q4", "2026-H2", "2026"]),  # four periods at once
        (date(2026, 7, 1), ["2026-06", "2026-Q2", "2026-H1"]),
        (date(2026, 10, 1), ["2026-09", "2026-Q3"]),
    ],
)
def test_every_period_that_closes_goes_out(session, commune, office, reported, day, periods):
    run = run_job(session, JOBS["period-report"], commune.unit, at_seven(day))
    assert run.period == " ".join(periods)
    files = [m.attachment.name for m in messages(session, run) if m.attachment]
    assert files == [f"tocds-xa-dong-phu-{label}.{kind}" for label in periods for kind in ("xlsx", "docx")]
    assert run_job(session, JOBS["period-report"], commune.unit, at_seven(day, 9)) is None


def test_a_period_report_names_its_deadline(session, commune, office, tmp_path):
    import_deadlines(session, commune.unit, write(tmp_path, "period_kind,due\nmonth,10\n"))
    run = run_job(session, JOBS["period-report"], commune.unit, at_seven(date(2026, 12, 1)))
    assert messages(session, run)[0].text.split("\n")[1] == "Hạn nộp báo cáo lên cấp trên: 10/12/2026."


def test_the_period_report_from_the_command_line_once(db_url, session, commune, office, reported, tmp_path):
    processes = Processes(tmp_path, {"TOCDS_DATABASE_URL": db_url})
    args = ("jobs", "run", "period-report", "--commune", "Xã Đồng Phú", "--now", "2026-12-01T07:00+07:00")
    first = processes.run(*args)
    assert first.returncode == 0, first.stderr
    assert first.stdout.splitlines()[0] == "period-report, Xã Đồng Phú, 2026-11: 3 messages queued"
    assert "🗓 Đã hết kỳ 2026-11" in first.stdout  # the office's console chat, printed as it is delivered
    again = processes.run(*args[:-1], "2026-12-01T10:00+07:00")
    assert again.stdout.splitlines()[0] == \
        "period-report, Xã Đồng Phú, 2026-11: already ran for this period: nothing sent"
    assert len([m for m in outbox(session) if m.job_run_id]) == 3  # the text, the workbook and the report, once


# Reminders before a deadline ------------------------------------------------------------------


@pytest.fixture
def leader(session, commune):
    """The commune's chairman, on Telegram."""
    return telegram_member(session, "Anh Tuấn", commune.unit, "700", Role.LEADER)


@pytest.fixture
def monthly(session, commune, tmp_path):
    import_deadlines(session, commune.unit, write(tmp_path, "period_kind,due\nmonth,10\n"))


def by_chat(session, run) -> dict[tuple[str, str], list[Outgoing]]:
    sent: dict[tuple[str, str], list[Outgoing]] = {}
    for message in outbox(session):
        if message.job_run_id == run.id:
            sent.setdefault((message.channel, message.chat_id), []).append(Outgoing.from_dict(message.payload))
    return sent


def test_the_office_is_reminded_days_before_the_deadline(session, commune, office, leader, reported, monthly):
    run = run_job(session, JOBS["deadline-reminders"], commune.unit, at_seven(date(2026, 12, 7), 8))
    sent = by_chat(session, run)
    assert list(sent) == [("console", "chi hanh")]  # the office alone, days before
    text, workbook, _ = sent[("console", "chi hanh")]
    assert text.text.split("\n")[0] == (
        "⏰ Còn 3 ngày, đến 10/12/2026, là hạn nộp báo cáo tháng kỳ 2026-11 (01/11/2026–30/11/2026) lên cấp trên. "
        "Số liệu cần nộp ở dưới và trong bảng tính.")
    assert "📊 Xã Đồng Phú — kỳ 2026-11 (01/11/2026–30/11/2026)" in text.text
    assert workbook.attachment.name == "tocds-xa-dong-phu-2026-11.xlsx"
    assert run_job(session, JOBS["deadline-reminders"], commune.unit, at_seven(date(2026, 12, 7), 9)) is None
    quiet = run_job(session, JOBS["deadline-reminders"], commune.unit, at_seven(date(2026, 12, 8), 8))
    assert quiet.messages == 0  # neither 3 days before nor the day


def test_a_reminder_missed_while_the_scheduler_was_down_goes_out_with_the_next_run(session, commune, office,
                                                                                   reported, monthly):
    # The server was off on 7 December, the reminder's day; it runs again on the 8th.
    run = run_job(session, JOBS["deadline-reminders"], commune.unit, at_seven(date(2026, 12, 8), 8))
    [(chat, (text, workbook, _))] = by_chat(session, run).items()
    assert chat == ("console", "chi hanh") and text.text.split("\n")[0].startswith(
        "⏰ Còn 2 ngày, đến 10/12/2026, là hạn nộp báo cáo tháng kỳ 2026-11 (01/11/2026–30/11/2026)")
    assert workbook.attachment.name == "tocds-xa-dong-phu-2026-11.xlsx"
    again = run_job(session, JOBS["deadline-reminders"], commune.unit, at_seven(date(2026, 12, 9), 8))
    assert again.messages == 0  # caught up once


def test_on_the_day_the_leaders_hear_of_the_villages_still_missing(session, commune, office, leader, reported,
                                                                    monthly):
    run = run_job(session, JOBS["deadline-reminders"], commune.unit, at_seven(date(2026, 12, 10), 8))
    sent = by_chat(session, run)
    assert set(sent) == {("console", "chi hanh"), ("telegram", "700")}
    text = sent[("telegram", "700")][0].text.split("\n")
    assert text[0].startswith("⏰ Hôm nay, 10/12/2026, là hạn nộp báo cáo tháng kỳ 2026-11 (01/11/2026–30/11/2026)")
    assert text[1] == f"⚠️ Còn 1 thôn chưa báo cáo trong kỳ: {PHU_LOI}."
    assert sent[("telegram", "700")][1].attachment.name == "tocds-xa-dong-phu-2026-11.xlsx"
    assert sent[("console", "chi hanh")][0].text == sent[("telegram", "700")][0].text


def test_on_the_day_with_every_village_reported_the_leaders_are_left_alone(session, commune, office, leader,
                                                                           reported, monthly):
    Chatter(session, "Hòa", [commune.villages[PHU_LOI]], Role.MEMBER).say("/khong", NOW)
    run = run_job(session, JOBS["deadline-reminders"], commune.unit, at_seven(date(2026, 12, 10), 8))
    assert list(by_chat(session, run)) == [("console", "chi hanh")]


def test_a_leader_who_subscribed_a_private_chat_gets_the_reminder_once(session, commune, monthly):
    chairman = Chatter(session, "Anh Tuấn", [commune.unit], Role.LEADER)
    chairman.say("/nhantin")
    run = run_job(session, JOBS["deadline-reminders"], commune.unit, at_seven(date(2026, 12, 10), 8))
    assert {chat: len(sent) for chat, sent in by_chat(session, run).items()} == {("console", "anh tuan"): 3}  # text, workbook, report: once


def test_a_six_month_deadline_reminds_of_the_latest_half(session, commune, office, tmp_path):
    import_deadlines(session, commune.unit, write(tmp_path, "period_kind,due,remind_days\nhalf,10/06,0\n"))
    early = run_job(session, JOBS["deadline-reminders"], commune.unit, at_seven(date(2027, 6, 7), 8))
    assert early.messages == 0  # remind_days 0: on the day alone
    run = run_job(session, JOBS["deadline-reminders"], commune.unit, at_seven(date(2027, 6, 10), 8))
    [(_, (text, workbook, _))] = by_chat(session, run).items()
    assert "báo cáo 6 tháng kỳ 2027-H1 (01/01/2027–30/06/2027)" in text.text
    assert workbook.attachment.name == "tocds-xa-dong-phu-2027-H1.xlsx"


def test_the_schedule_shows_the_calendars_jobs_daily(db_url, commune, tmp_path):
    processes = Processes(tmp_path, {"TOCDS_DATABASE_URL": db_url})
    schedule = processes.run("admin", "schedule", "--commune", "Xã Đồng Phú").stdout.splitlines()
    assert "period-report,daily,07:00,Asia/Ho_Chi_Minh,default" in schedule
    assert "deadline-reminders,daily,08:00,Asia/Ho_Chi_Minh,default" in schedule
    weekly = processes.run("admin", "schedule", "--commune", "Xã Đồng Phú", "period-report", "monday", "07:00")
    assert weekly.returncode == 2 and "period-report daily HH:MM" in weekly.stderr
    later = processes.run("admin", "schedule", "--commune", "Xã Đồng Phú", "period-report", "daily", "06:45")
    assert "period-report,daily,06:45,Asia/Ho_Chi_Minh,commune" in later.stdout.splitlines()



@pytest.mark.parametrize(
    ("job", "after", "fires"),
    [
        ("period-report", at_seven(date(2026, 11, 30), 8), at_seven(date(2026, 12, 1))),
        ("deadline-reminders", at_seven(date(2026, 12, 6), 9), at_seven(date(2026, 12, 7), 8)),
    ],
)
def test_the_calendars_jobs_run_every_morning_in_the_communes_time(job, after, fires):
    from tocds.jobs.scheduler import trigger
    from tocds.models.jobs import SCHEDULE

    assert trigger(SCHEDULE[job], HCM).get_next_fire_time(None, after) == fires


def test_the_desk_s_calendar_names_the_weekly_sends_each_level_has():
    """The reports page's weekly sends (figures/calendar.py) are the weekly jobs that run for a
    commune and for a province: reminders and escalation for communes only."""
    from tocds.figures.calendar import WEEKLY_SENDS
    from tocds.models import Level
    from tocds.models.jobs import EVERY_DAY, SCHEDULE

    for level in (Level.COMMUNE, Level.PROVINCE):
        weekly = [name for name, when in SCHEDULE.items() if when.weekday != EVERY_DAY and level in JOBS[name].levels]
        assert list(WEEKLY_SENDS[level]) == weekly


def test_what_is_due_next_counts_from_the_hour_it_is_asked(session, commune, tmp_path):
    """Friday 15:30: this Friday's reminder has gone (the next is a week on), Saturday's
    escalation has not; a deadline's reminder at 08:00 that day is gone too, the deadline is not."""
    from tocds.figures.calendar import upcoming
    from tocds.locales import translator

    import_deadlines(session, commune.unit, write(tmp_path, "period_kind,due,remind_days\nmonth,4,0\nquarter,15,7\n"))
    friday = datetime(2026, 12, 4, 15, 30)  # local time; the month's report (2026-11) is due today
    items = [(item.day, item.at, item.period.label if item.period else None)
             for item in upcoming(session, commune.unit, friday, translator("en"))]
    assert items == [
        (date(2026, 12, 4), None, "2026-11"),  # due today
        (date(2026, 12, 5), time(9, 0), None),  # escalation
        (date(2026, 12, 7), time(7, 30), None),  # Monday's summary
        (date(2026, 12, 11), time(15, 0), None),  # next Friday's reminder
        (date(2027, 1, 1), time(7, 0), "2026-12"),  # the month closes
        (date(2027, 1, 8), time(8, 0), "2026-Q4"),  # the quarter's reminder, 7 days before
        (date(2027, 1, 15), None, "2026-Q4"),
    ]
