"""Scheduled work: recorded once per period, quiet at night, aimed at the right people."""

from datetime import UTC, datetime, timedelta

import pytest
from processes import Processes, wait_until
from sqlmodel import select

from helpers import NOW, Chatter
from tocds.handlers.messages import Outgoing
from tocds.jobs import JOBS
from tocds.jobs.runner import quiet_until, run_job
from tocds.models import ChannelAccount, JobRun, OutboxMessage, Person, Role, Subscription
from tocds.models.invites import join

HCM = "Asia/Ho_Chi_Minh"
FRIDAY_3PM = datetime(2026, 11, 27, 8, 0, tzinfo=UTC)  # 15:00 in Vietnam, week 2026-W48


def local(hour, minute=0, day=27):
    return datetime(2026, 11, day, hour, minute, tzinfo=UTC) - timedelta(hours=7)


@pytest.mark.parametrize(
    ("moment", "until"),
    [
        (local(20, 59), None),
        (local(6, 30), None),
        (local(21, 0), local(6, 30, day=28)),
        (local(23, 59), local(6, 30, day=28)),
        (local(5, 0), local(6, 30)),
    ],
)
def test_quiet_hours_hold_messages_until_half_past_six(moment, until):
    assert quiet_until(moment, HCM) == until


def telegram_member(session, name, village, external_id, role=Role.MEMBER, blocked=False):
    person = Person(name=name)
    session.add(person)
    session.flush()
    session.add(ChannelAccount(person_id=person.id, channel="telegram", external_id=external_id,
                               blocked_at=NOW if blocked else None))
    join(session, person, village, role)
    session.commit()
    return person


@pytest.fixture
def teams(session, commune):
    tan_hoa, phu_loi = commune.villages["Thôn Tân Hòa"], commune.villages["Thôn Phú Lợi"]
    telegram_member(session, "Lan", tan_hoa, "101")
    telegram_member(session, "Minh", tan_hoa, "102", Role.VILLAGE_LEADER)
    telegram_member(session, "Hòa", phu_loi, "201")
    telegram_member(session, "Bị chặn", phu_loi, "202", blocked=True)
    return tan_hoa, phu_loi


def outbox(session):
    session.commit()
    return session.exec(select(OutboxMessage).order_by(OutboxMessage.id)).all()


def test_reminders_go_to_the_teams_of_villages_that_have_not_reported(session, commune, teams):
    tan_hoa, _ = teams
    Chatter(session, "Console Lan", [tan_hoa], Role.MEMBER).say("vneid 1", NOW)
    run = run_job(session, JOBS["reminders"], commune.unit, FRIDAY_3PM)
    assert (run.job, run.period, run.messages) == ("reminders", "2026-W48", 1)
    [message] = outbox(session)
    assert (message.channel, message.chat_id, message.next_attempt_at) == ("telegram", "201", None)
    assert message.payload["text"].startswith("⏰ Nhắc báo cáo: Thôn Phú Lợi chưa có báo cáo tuần 23/11–29/11.")


def test_nothing_this_week_counts_as_reported(session, commune, teams):
    _, phu_loi = teams
    Chatter(session, "Console Hòa", [phu_loi], Role.MEMBER).say("/khong", NOW)
    run_job(session, JOBS["reminders"], commune.unit, FRIDAY_3PM)
    assert sorted(m.chat_id for m in outbox(session)) == ["101", "102"]


def test_a_job_runs_once_per_period(session, commune, teams):
    assert run_job(session, JOBS["reminders"], commune.unit, FRIDAY_3PM) is not None
    assert run_job(session, JOBS["reminders"], commune.unit, FRIDAY_3PM + timedelta(hours=2)) is None
    assert len(outbox(session)) == 3
    next_week = run_job(session, JOBS["reminders"], commune.unit, FRIDAY_3PM + timedelta(weeks=1))
    assert next_week.period == "2026-W49"
    assert len(session.exec(select(JobRun)).all()) == 2


def test_a_run_at_night_waits_for_the_morning(session, commune, teams):
    run_job(session, JOBS["reminders"], commune.unit, local(22, 0))
    assert {m.next_attempt_at for m in outbox(session)} == {local(6, 30, day=28)}


def test_subscribe_toggles_for_the_chat(session, commune):
    office = Chatter(session, "Hạnh", [commune.unit], Role.OFFICE)
    assert office.say("/nhantin").startswith("Cuộc trò chuyện này sẽ nhận báo cáo tuần và cảnh báo đỏ của Xã Đồng Phú.")
    [subscription] = session.exec(select(Subscription)).all()
    assert (subscription.channel, subscription.commune_id) == ("console", commune.unit.id)
    assert office.say("/subscribe").startswith("Cuộc trò chuyện này thôi nhận")
    assert session.exec(select(Subscription)).all() == []
    member = Chatter(session, "Lan", [commune.villages["Thôn Tân Hòa"]], Role.MEMBER)
    assert member.say("/nhantin").startswith("/nhantin không dành cho vai trò của bạn.")


def test_jobs_run_from_the_command_line_once(db_url, session, commune, teams, tmp_path):
    processes = Processes(tmp_path, {"TOCDS_DATABASE_URL": db_url})
    args = ("jobs", "run", "reminders", "--commune", "Xã Đồng Phú", "--now", "2026-11-27T15:00+07:00")
    first = processes.run(*args)
    assert first.returncode == 0, first.stderr
    assert first.stdout.splitlines()[0] == "reminders, Xã Đồng Phú, 2026-W48: 3 messages queued"
    again = processes.run(*args)
    assert again.stdout.splitlines()[0] == "reminders, Xã Đồng Phú, 2026-W48: already ran for this period: nothing sent"
    assert len(outbox(session)) == 3
    wrong = processes.run("jobs", "run", "nope")
    assert wrong.returncode == 2 and "unknown job 'nope'; use one of reminders" in wrong.stderr
    naive = processes.run("jobs", "run", "reminders", "--now", "2026-11-27T15:00")
    assert naive.returncode == 2 and "--now needs a time zone" in naive.stderr


def subscribe_office(session, commune):
    office = Chatter(session, "Hạnh", [commune.unit], Role.OFFICE)
    office.say("/nhantin")
    return office


def test_escalation_goes_to_team_leaders_and_lists_the_missing_to_the_office(session, commune, teams):
    subscribe_office(session, commune)
    saturday = FRIDAY_3PM + timedelta(hours=18)  # Saturday 09:00 in Vietnam
    run_job(session, JOBS["escalation"], commune.unit, saturday)
    messages = {(m.channel, m.chat_id): m.payload["text"] for m in outbox(session)}
    assert messages[("telegram", "102")].startswith("🔔 Thôn Tân Hòa vẫn chưa có báo cáo tuần 23/11–29/11.")
    assert ("telegram", "101") not in messages  # members got Friday's reminder; leaders are escalated to
    office_text = next(text for (channel, _), text in messages.items() if channel == "console")
    assert office_text == "🔔 Xã Đồng Phú, tuần 23/11–29/11: 2 thôn chưa báo cáo: Thôn Tân Hòa, Thôn Phú Lợi."


def test_an_alert_is_sent_when_a_village_turns_red_and_not_while_it_stays_red(session, commune, teams):
    from helpers import add_target

    tan_hoa, _ = teams
    subscribe_office(session, commune)
    add_target(session, tan_hoa, "vneid", baseline=0, percent=50)  # 200 of 400 people in 2026
    first = run_job(session, JOBS["alerts"], commune.unit, NOW)
    assert first.messages == 1
    [alert] = [m for m in outbox(session) if m.channel == "console"]
    lines = alert.payload["text"].split("\n")
    assert lines[0] == "🔴 Xã Đồng Phú: chậm so với tiến độ (quy tắc cảnh báo đỏ), tính đến 25/11/2026:"
    assert lines[1].startswith("• Thôn Tân Hòa — VNeID: 0/200 (0%); theo tiến độ cần 1")
    assert run_job(session, JOBS["alerts"], commune.unit, NOW + timedelta(days=1)).messages == 0  # still red
    # Back on track, then red again: a new alert.
    Chatter(session, "Console Lan", [tan_hoa], Role.MEMBER).say("vneid 200", NOW + timedelta(days=2))
    Chatter(session, "Console Lan", [tan_hoa], Role.MEMBER).say("1", NOW + timedelta(days=2))
    assert run_job(session, JOBS["alerts"], commune.unit, NOW + timedelta(days=2)).messages == 0  # green
    Chatter(session, "Console Lan", [tan_hoa], Role.MEMBER).say("/xoa", NOW + timedelta(days=3))
    Chatter(session, "Console Lan", [tan_hoa], Role.MEMBER).say("1", NOW + timedelta(days=3))
    assert run_job(session, JOBS["alerts"], commune.unit, NOW + timedelta(days=3)).messages == 1


def test_a_commune_without_targets_gets_no_alerts(session, commune, teams):
    subscribe_office(session, commune)
    assert run_job(session, JOBS["alerts"], commune.unit, NOW).messages == 0


@pytest.mark.parametrize(
    ("job", "after", "fires"),
    [
        ("reminders", local(16, 0, day=25), local(15, 0, day=27)),  # Wednesday → Friday 15:00
        ("escalation", local(16, 0, day=27), local(9, 0, day=28)),  # → Saturday 09:00
        ("weekly-summary", local(16, 0, day=27), local(7, 30, day=30)),  # → Monday 07:30
        ("alerts", local(7, 1, day=27), local(7, 0, day=28)),  # → tomorrow 07:00
    ],
)
def test_each_job_fires_on_its_weekday_in_the_communes_time(job, after, fires):
    from tocds.jobs.scheduler import trigger
    from tocds.models.jobs import SCHEDULE

    assert trigger(SCHEDULE[job], HCM).get_next_fire_time(None, after) == fires


MONDAY_0730 = datetime(2026, 11, 30, 0, 30, tzinfo=UTC)  # 07:30 in Vietnam, Monday after week 2026-W48


def test_the_weekly_summary_goes_to_subscribers_with_chart_and_spreadsheet(session, commune, teams):
    import io

    import openpyxl

    subscribe_office(session, commune)
    tan_hoa, _ = teams
    Chatter(session, "Console Lan", [tan_hoa], Role.MEMBER).say("vneid 7 ho 2", NOW)
    run = run_job(session, JOBS["weekly-summary"], commune.unit, MONDAY_0730)
    assert (run.period, run.messages) == ("2026-W48", 3)  # Monday: the week that just ended
    text, chart, sheet = [Outgoing.from_dict(m.payload) for m in outbox(session)]
    assert text.text.startswith("📊 Xã Đồng Phú — tuần 23/11–29/11")
    assert "Chưa báo cáo (1): Thôn Phú Lợi" in text.text
    assert chart.attachment.kind == "picture" and chart.attachment.content.startswith(b"\x89PNG")
    assert chart.attachment.name == "tocds-xa-dong-phu-2026-W48.png"
    workbook = openpyxl.load_workbook(io.BytesIO(sheet.attachment.content))
    values = [cell for row in workbook.worksheets[0].iter_rows(values_only=True) for cell in row]
    assert 7 in values and 2 in values
    assert run_job(session, JOBS["weekly-summary"], commune.unit, MONDAY_0730 + timedelta(hours=3)) is None


def test_a_summary_on_another_day_covers_the_week_so_far_and_leaves_mondays_to_come(session, commune, teams):
    subscribe_office(session, commune)
    assert run_job(session, JOBS["weekly-summary"], commune.unit, NOW).period == "2026-W48 to 2026-11-25"
    assert run_job(session, JOBS["weekly-summary"], commune.unit, NOW + timedelta(hours=2)) is None
    sunday = run_job(session, JOBS["weekly-summary"], commune.unit, MONDAY_0730 - timedelta(days=1))
    assert sunday.period == "2026-W48 to 2026-11-29"  # the week is not over until Sunday is
    run = run_job(session, JOBS["weekly-summary"], commune.unit, MONDAY_0730)
    assert (run.period, run.messages) == ("2026-W48", 3)  # the whole week, still sent on Monday


def test_an_office_chat_on_telegram_receives_the_summary_text_picture_and_file(db_url, session, commune, teams,
                                                                                tmp_path):
    from fake_telegram import FakeTelegram

    office = Person(name="Hạnh")
    session.add(office)
    session.flush()
    session.add(ChannelAccount(person_id=office.id, channel="telegram", external_id="900"))
    join(session, office, commune.unit, Role.OFFICE)
    session.commit()
    with FakeTelegram() as fake:
        env = {"TOCDS_DATABASE_URL": db_url, "TOCDS_TELEGRAM_TOKEN": fake.token,
               "TOCDS_TELEGRAM_API_URL": fake.api_url}
        processes = Processes(tmp_path, env)
        bot = processes.start("run")
        try:
            fake.say(900, "/nhantin")
            # Stopped once the reply is marked sent: a reply sent but not yet marked when a process
            # dies is sent again by whoever takes over (at least once), here after its lease.
            wait_until(lambda: all(m.sent_at for m in outbox(session)), 10, "the reply to be marked sent")
            bot.terminate()
            done = processes.run("jobs", "run", "weekly-summary", "--commune", "Xã Đồng Phú",
                                 "--now", "2026-11-30T07:30+07:00")
            assert done.returncode == 0, done.stderr + processes.logs()
            assert done.stdout.startswith("weekly-summary, Xã Đồng Phú, 2026-W48: 3 messages queued")
            methods = [c.method for c in fake.calls if c.method.startswith("send") and c.ok]
            assert methods[-3:] == ["sendMessage", "sendPhoto", "sendDocument"]
            assert fake.calls_of("sendPhoto")[0].files["photo"].startswith(b"\x89PNG")
            assert fake.calls_of("sendDocument")[0].file_names["document"] == "tocds-xa-dong-phu-2026-W48.xlsx"
            again = processes.run("jobs", "run", "weekly-summary", "--commune", "Xã Đồng Phú",
                                  "--now", "2026-11-30T09:00+07:00")
            assert "already ran" in again.stdout
            assert len(fake.calls_of("sendPhoto")) == 1
        finally:
            processes.stop()


def test_a_commune_can_have_its_own_times(db_url, session, commune, tmp_path):
    from tocds.jobs.scheduler import Scheduler

    processes = Processes(tmp_path, {"TOCDS_DATABASE_URL": db_url})
    changed = processes.run("admin", "schedule", "--commune", "Xã Đồng Phú", "reminders", "thursday", "16:30")
    assert changed.returncode == 0, changed.stderr
    assert "reminders,thursday,16:30,Asia/Ho_Chi_Minh,commune" in changed.stdout.splitlines()
    assert "alerts,daily,07:00,Asia/Ho_Chi_Minh,default" in changed.stdout.splitlines()
    wrong = processes.run("admin", "schedule", "--commune", "Xã Đồng Phú", "reminders", "funday", "16:30")
    assert wrong.returncode == 2 and "WEEKDAY: monday … sunday or daily" in wrong.stderr

    scheduler = Scheduler(db_url)
    scheduler.sync()
    job = scheduler.apscheduler.get_job(f"reminders:{commune.unit.id}")
    assert job.trigger.get_next_fire_time(None, local(16, 0, day=25)) == local(16, 30, day=26)  # Thursday
    processes.run("admin", "schedule", "--commune", "Xã Đồng Phú", "reminders", "default")
    scheduler.sync()  # a running scheduler follows the change
    job = scheduler.apscheduler.get_job(f"reminders:{commune.unit.id}")
    assert job.trigger.get_next_fire_time(None, local(16, 0, day=25)) == local(15, 0, day=27)  # Friday


def test_only_one_scheduler_leads_on_postgresql(db_url):
    from tocds.jobs.scheduler import take_lead
    from tocds.models.db import get_writer

    engine = get_writer(db_url)
    if engine.dialect.name != "postgresql":
        pytest.skip("the advisory lock is PostgreSQL's; on SQLite one machine runs one scheduler")
    first, second = engine.connect(), engine.connect()
    try:
        assert take_lead(first) is True
        assert take_lead(second) is False  # the second scheduler waits
        first.invalidate()  # the leader's process is gone: its database session ends
        assert take_lead(second) is True  # and the waiting one takes over
    finally:
        first.close()
        second.close()


def test_a_fan_out_cut_short_is_finished_once_from_the_outbox(db_url, session, commune, teams):
    import asyncio

    from test_mailroom import Clock, ScriptedChannel

    from helpers import DEFAULTS
    from tocds.bot.mailroom import LEASE, Mailroom

    class Telegram(ScriptedChannel):
        name = "telegram"

    run_job(session, JOBS["reminders"], commune.unit, FRIDAY_3PM)
    clock, channel = Clock(), Telegram()
    clock.now = FRIDAY_3PM
    mailroom = Mailroom(db_url, DEFAULTS, clock=clock)
    assert len(mailroom.claim(channel)) == 3  # a sender leases the fan-out, then dies before sending
    assert run_job(session, JOBS["reminders"], commune.unit, FRIDAY_3PM) is None  # rerun: nothing new
    clock.now = FRIDAY_3PM + LEASE
    asyncio.run(mailroom.deliver_due(channel))
    assert sorted(chat for chat, _ in channel.sent) == ["101", "102", "201"]  # each exactly once
    assert asyncio.run(mailroom.deliver_due(channel)) == 0
