"""An operator's first hour: the mistakes and accidents of a server in a commune (a job run
twice, a typo in a setting, a second copy started), each answered in one line with its fix."""

import os
import subprocess
import time

import pytest
from test_cli import COMMUNE, TOCDS, count_rows, import_villages, ok, refused, tocds

from tocds.models import JobRun

FRIDAY = "2026-11-27T15:00+07:00"


def test_a_job_run_again_for_its_period_says_so_at_once(db_url, cwd):
    import_villages(db_url, cwd)
    first = ok(tocds("jobs", "run", "reminders", "--commune", COMMUNE, "--now", FRIDAY, db=db_url, cwd=cwd))
    assert f"reminders, {COMMUNE}, 2026-W48:" in first and "queued" in first
    started = time.monotonic()
    again = ok(tocds("jobs", "run", "reminders", "--commune", COMMUNE, "--now", FRIDAY, db=db_url, cwd=cwd))
    assert "already ran for this period" in again
    assert time.monotonic() - started < 5  # not SQLite's 10 s wait for a lock the run itself held
    assert count_rows(db_url, JobRun) == 1


def test_a_job_for_every_commune_when_there_is_none(db_url, cwd):
    started = time.monotonic()
    assert ok(tocds("jobs", "run", "weekly-summary", db=db_url, cwd=cwd)) == ""
    assert time.monotonic() - started < 5


@pytest.mark.parametrize(("url", "says"), [
    ("sqlite://x.db", "names no SQLite file: write sqlite:///tocds.db"),
    ("nonsense", "is not a database URL"),
    ("mysql://u@127.0.0.1/x", "runs on SQLite or PostgreSQL"),
    ("sqlite:///no/such/folder/x.db", "does not exist: create it (mkdir -p"),
    ("sqlite:///typo.db", "no database at"),
    # The postgres extra's driver is psycopg; a URL asking for another driver finds it missing, as
    # an install without the extra finds psycopg missing.
    ("postgresql+psycopg2://tocds@127.0.0.1/tocds", "pip install 'tocds[postgres]'"),
    ("postgresql+psycopg://tocds:secret-pw@127.0.0.1:1/tocds", "cannot open PostgreSQL"),
])
def test_a_wrong_database_url_is_one_line_with_its_fix(cwd, url, says):
    error = refused(tocds("admin", "members", "--commune", COMMUNE, db=url, cwd=cwd))
    assert says in error and error.count("\n") == 1, error
    assert "secret-pw" not in error
    assert list(cwd.iterdir()) == []  # no empty database made from a typo


def test_only_the_commands_that_set_a_database_up_create_one(cwd):
    url = "sqlite:///tocds.db"
    for command in (("chat",), ("run",), ("jobs", "run", "alerts"), ("export", "--commune", COMMUNE, "--period", "2026")):
        error = refused(tocds(*command, db=url, cwd=cwd))
        assert f"no database at {cwd / 'tocds.db'}" in error and "tocds db upgrade" in error, (command, error)
    assert not (cwd / "tocds.db").exists()
    ok(tocds("db", "upgrade", db=url, cwd=cwd))
    error = refused(tocds("admin", "members", "--commune", "Xã Đồng Phu", db=url, cwd=cwd))
    assert f"no commune named 'Xã Đồng Phu' in SQLite file {cwd / 'tocds.db'}" in error


def test_a_typo_in_a_setting_names_the_variable(cwd):
    env = {k: v for k, v in os.environ.items() if not k.startswith("TOCDS_")}
    env.update(TOCDS_TIMEZONE="Asia/Ho_Chi_Mihn", TOCDS_LOCALE="vn", TOCDS_LISTEN="8080")
    result = subprocess.run([str(TOCDS), "db", "upgrade"], env=env, cwd=cwd, capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 2 and "Traceback" not in result.stderr, result.stderr
    for variable in ("TOCDS_TIMEZONE: 'Asia/Ho_Chi_Mihn' is not a time zone", "TOCDS_LOCALE: 'vn'",
                     "TOCDS_LISTEN: '8080' is not host:port"):
        assert variable in result.stderr
    assert not (cwd / "tocds.db").exists()
