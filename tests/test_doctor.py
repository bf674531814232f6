"""`tocds doctor`: every check against the fake messengers, each fault made on purpose."""

import os
import re
import shutil
from datetime import timedelta
from pathlib import Path

import pytest
from alembic import command
from fake_telegram import FakeTelegram
from fake_zalo import FakeZalo
from processes import Processes, free_port
from sqlmodel import Session

from tocds.bot import doctor
from tocds.bot.doctor import ERROR, OK, WARNING, examine
from tocds.bot.run import configured_channels
from tocds.bot.settings import Settings
from tocds.models import InboxUpdate, JobRun, OutboxMessage
from tocds.models.db import HEAD, alembic_config, get_engine
from tocds.models.jobs import SCHEDULE
from tocds.models.types import utcnow

WEBHOOK = "https://bot.example.vn"


@pytest.fixture
def telegram():
    with FakeTelegram() as server:
        yield server


@pytest.fixture
def zalo():
    with FakeZalo() as server:
        yield server


@pytest.fixture
def healthy(db_url, commune, tmp_path, telegram, zalo):
    """Settings under which every check is ok: both messengers, jobs that ran, a fresh backup."""
    backups = tmp_path / "backups"
    backups.mkdir()
    (backups / "tocds-2026-12-06.db").write_bytes(b"copy")
    with Session(get_engine(db_url)) as session:
        session.add_all(JobRun(job=job, commune_id=commune.unit.id, period="p", ran_at=utcnow() - timedelta(hours=1))
                        for job in SCHEDULE)
        session.commit()
    return dict(database_url=db_url, telegram_token=telegram.token, telegram_api_url=telegram.api_url,
                zalo_token=zalo.token, zalo_api_url=zalo.api_url, evidence_dir=tmp_path / "evidence",
                backup_dir=backups)


def findings(**values) -> dict[str, doctor.Finding]:
    settings = Settings(_env_file=None, **values)
    found = examine(settings, configured_channels(settings))
    return {finding.what: finding for finding in found}


def only_not_ok(found: dict[str, doctor.Finding]) -> dict[str, str]:
    return {what: f"{f.status}: {f.detail}" for what, f in found.items() if f.status != OK}


def test_a_healthy_server_is_all_ok(healthy, db_url, telegram):
    found = findings(**healthy)
    assert only_not_ok(found) == {}
    assert found["database"].detail.endswith(f"migrated (revision {HEAD})")
    assert found["telegram"].detail == f"token valid, the bot is {telegram.bot_user['username']}"
    assert "long polling" in found["telegram webhook"].detail
    assert {f"job {job}" for job in SCHEDULE} <= set(found)
    weekday = r"\((Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)\)"
    assert re.fullmatch(rf"\d{{4}}-\d\d-\d\d \d\d:\d\d Asia/Ho_Chi_Minh {weekday}, UTC\+07:00.*", found["clock"].detail)
    assert re.fullmatch(rf"last ran .* Asia/Ho_Chi_Minh {weekday}", found["job reminders"].detail)


def test_messenger_faults(healthy, telegram, zalo):
    refused = findings(**{**healthy, "telegram_token": "999:WRONG", "zalo_token": "wrong-token"})
    assert refused["telegram"].status == ERROR and "TOCDS_TELEGRAM_TOKEN" in refused["telegram"].detail
    assert refused["zalo"].status == ERROR and "TOCDS_ZALO_TOKEN" in refused["zalo"].detail
    unreachable = findings(**{**healthy, "telegram_api_url": f"http://127.0.0.1:{free_port()}/bot"})
    assert unreachable["telegram"].status == ERROR and "cannot reach" in unreachable["telegram"].detail

    # A webhook the operator expects but nobody registered, then one pointing elsewhere.
    expected = findings(**healthy, webhook_url=WEBHOOK)
    assert expected["telegram webhook"].status == WARNING and "not registered" in expected["telegram webhook"].detail
    telegram.webhook = {"url": "https://old.example.vn/telegram"}
    zalo.webhook = {"url": "https://old.example.vn/zalo", "secret_token": "x" * 8, "updated_at": 0}
    elsewhere = findings(**healthy, webhook_url=WEBHOOK)
    for name in ("telegram", "zalo"):
        assert elsewhere[f"{name} webhook"].status == ERROR
        assert f"points at https://old.example.vn/{name}, not {WEBHOOK}/{name}" in elsewhere[f"{name} webhook"].detail
    stray = findings(**healthy)  # registered while TOCDS_WEBHOOK_URL is not set
    assert stray["telegram webhook"].status == WARNING and "removes it" in stray["telegram webhook"].detail
    telegram.webhook = {"url": f"{WEBHOOK}/telegram"}
    zalo.webhook = {"url": f"{WEBHOOK}/zalo", "secret_token": "x" * 8, "updated_at": 0}
    assert only_not_ok(findings(**healthy, webhook_url=WEBHOOK)) == {}

    telegram.webhook = None
    for n in range(doctor.PENDING_WARNING):
        telegram.send_text(5000 + n, "vneid 1")
    piled = findings(**healthy)
    assert piled["telegram updates"].status == WARNING
    assert f"{doctor.PENDING_WARNING} waiting" in piled["telegram updates"].detail


def test_database_faults(healthy, tmp_path):
    missing = findings(**{**healthy, "database_url": f"sqlite:///{tmp_path / 'typo.db'}"})
    assert missing["database"].status == ERROR and "no database at" in missing["database"].detail
    assert "job reminders" not in missing  # nothing asked of a database that is not there
    assert not (tmp_path / "typo.db").exists()

    behind = f"sqlite:///{tmp_path / 'old.db'}"
    config = alembic_config(behind)
    command.upgrade(config, "0011")
    found = findings(**{**healthy, "database_url": behind})
    assert found["database"].status == WARNING and "is at revision 0011, this tocds needs" in found["database"].detail

    found = findings(**{**healthy, "database_url": "postgresql+psycopg://tocds:pw@127.0.0.1:1/tocds"})
    assert found["database"].status == ERROR and "cannot open PostgreSQL" in found["database"].detail


def test_evidence_folder_faults(healthy, tmp_path, monkeypatch):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    found = findings(**{**healthy, "evidence_dir": blocker / "evidence"})
    assert found["evidence folder"].status == ERROR and "is a file, not a folder" in found["evidence folder"].detail

    def disk_with(free: int):
        return lambda path: shutil._ntuple_diskusage(10 * free, 9 * free, free)

    monkeypatch.setattr(doctor.shutil, "disk_usage", disk_with(doctor.LOW_SPACE_WARNING - 1))
    assert findings(**healthy)["evidence folder"].status == WARNING
    monkeypatch.setattr(doctor.shutil, "disk_usage", disk_with(doctor.LOW_SPACE_ERROR - 1))
    assert findings(**healthy)["evidence folder"].status == ERROR


def test_backup_faults(healthy):
    copy = next(Path(healthy["backup_dir"]).iterdir())
    for age, status in ((doctor.BACKUP_WARNING_AGE + timedelta(hours=1), WARNING),
                        (doctor.BACKUP_ERROR_AGE + timedelta(hours=1), ERROR)):
        then = (utcnow() - age).timestamp()
        os.utime(copy, (then, then))
        found = findings(**healthy)["backup"]
        assert found.status == status and f"the newest, {copy.name}" in found.detail
    copy.unlink()
    assert findings(**healthy)["backup"].status == ERROR
    assert "backup" not in findings(**{**healthy, "backup_dir": None})  # not configured: not asked


def test_clock_and_job_faults(healthy, db_url, commune):
    with Session(get_engine(db_url)) as session:
        session.add(InboxUpdate(channel="telegram", update_key="future", payload={},
                                received_at=utcnow() + timedelta(hours=2)))
        session.commit()
    found = findings(**healthy)
    assert found["clock"].status == ERROR and "later than now" in found["clock"].detail

    with get_engine(db_url).begin() as connection:
        connection.execute(InboxUpdate.__table__.delete())
        connection.execute(JobRun.__table__.update().where(JobRun.job == "alerts")
                           .values(ran_at=utcnow() - timedelta(days=3)))
        connection.execute(JobRun.__table__.delete().where(JobRun.job == "reminders"))
        connection.execute(OutboxMessage.__table__.insert().values(
            channel="telegram", chat_id="1", payload={}, created_at=utcnow(), gave_up="403 blocked"))
    found = findings(**healthy)
    assert found["job alerts"].status == WARNING and "overdue" in found["job alerts"].detail
    assert found["job reminders"].status == WARNING and "never run" in found["job reminders"].detail
    assert found["job weekly-summary"].status == OK  # weekly: an hour ago is on time
    assert found["messages"].status == WARNING and found["messages"].detail.startswith("1 given up")


def test_what_an_erasure_gave_up_is_no_failure(healthy, db_url):
    """A person's erasure gives up their updates still to handle (`gave_up` = "erased"): the
    doctor says so apart, as no failure, and warns only of the real failures."""
    with get_engine(db_url).begin() as connection:
        connection.execute(InboxUpdate.__table__.insert(), [
            dict(channel="telegram", update_key=str(n), payload={"erased": True}, received_at=utcnow(),
                 handled_at=utcnow(), gave_up="erased") for n in range(3)])
        connection.execute(OutboxMessage.__table__.insert().values(
            channel="telegram", chat_id="", payload={"erased": True}, created_at=utcnow(), gave_up="erased"))
    found = findings(**healthy)
    assert only_not_ok(found) == {}
    assert found["erased"].detail == "given up in 7 days because their person was erased, no failure: " \
                                     "updates 3, messages 1"
    with get_engine(db_url).begin() as connection:
        connection.execute(InboxUpdate.__table__.insert().values(
            channel="telegram", update_key="x", payload={}, received_at=utcnow(), handled_at=utcnow(),
            gave_up="OperationalError: database is locked"))
    found = findings(**healthy)
    assert only_not_ok(found) == {"updates": "warning: 1 given up unhandled in 7 days (inbox.gave_up says why; "
                                             "the logs have the traceback)"}
    assert "updates 3, messages 1" in found["erased"].detail


def test_doctor_command_exits_1_on_an_error_0_on_warnings(db_url, tmp_path):
    group = Processes(tmp_path, {"TOCDS_DATABASE_URL": db_url})
    warned = group.run("doctor")
    assert warned.returncode == 0, warned.stdout + warned.stderr
    assert warned.stdout.startswith("ok       database: ") and "warning  messengers: none configured" in warned.stdout
    broken = group.run("doctor", TOCDS_TELEGRAM_TOKEN="1:x", TOCDS_TELEGRAM_API_URL=f"http://127.0.0.1:{free_port()}/bot")
    assert broken.returncode == 1 and "error    telegram: cannot reach its API" in broken.stdout
    assert "Traceback" not in broken.stderr
