"""`tocds service`: the systemd unit files shipped in the package, filled in for a server."""

import datetime
import fnmatch
import re
import shutil
import subprocess
import tomllib
from pathlib import Path

import pytest
from processes import Processes

from tocds.bot.service_files import installed_tocds, unit_files

ROOT = Path(__file__).parent.parent
FILES = ["tocds-backup.service", "tocds-backup.timer", "tocds@.service"]


def test_the_files_are_listed_printed_and_written(tmp_path):
    group = Processes(tmp_path, {})
    listed = group.run("service")
    assert listed.returncode == 0 and [line.split()[0] for line in listed.stdout.splitlines()] == FILES
    printed = group.run("service", "tocds@.service", "--user", "tocds-bot", "--folder", "/srv/tocds")
    assert printed.returncode == 0
    unit = printed.stdout
    for line in ("User=tocds-bot", "WorkingDirectory=/srv/tocds", f"ExecStart={installed_tocds()} %i",
                 "Restart=on-failure", "RestartPreventExitStatus=2", "After=network-online.target",
                 "Wants=network-online.target", "ReadWritePaths=/srv/tocds"):
        assert line in unit.splitlines(), line
    assert "{" not in unit
    written = group.run("service", "--write", str(tmp_path))
    assert written.returncode == 0 and sorted(p.name for p in tmp_path.glob("tocds*.*")) == FILES
    unknown = group.run("service", "tocds.service")
    assert unknown.returncode == 2 and "tocds@.service" in unknown.stderr


def test_an_installed_package_ships_them():
    patterns = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["package-data"]["tocds.bot"]
    for name in FILES:
        assert any(fnmatch.fnmatch(f"services/{name}", pattern) for pattern in patterns), name


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze is not installed here")
def test_systemd_accepts_them(tmp_path):
    for name, text in unit_files("root", tmp_path).items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    units = [tmp_path / f"tocds@{command}.service" for command in ("run", "serve", "scheduler")]
    units += [tmp_path / "tocds-backup.service", tmp_path / "tocds-backup.timer"]
    result = subprocess.run(["systemd-analyze", "verify", *map(str, units)], capture_output=True, text=True,
                            timeout=60)
    ours = [line for line in result.stderr.splitlines() if str(tmp_path) in line or "tocds" in line]
    assert result.returncode == 0 and ours == [], result.stderr


def test_the_backup_service_makes_a_dated_copy(tmp_path):
    """Its command, as systemd runs it (`%%` and `$$` unescaped), on a database in the folder."""
    group = Processes(tmp_path, {"TOCDS_DATABASE_URL": "sqlite:///tocds.db"})
    assert group.run("db", "upgrade").returncode == 0
    unit = unit_files("root", tmp_path)["tocds-backup.service"]
    commands = [re.sub(r"%%", "%", line.split("=", 1)[1]).replace("$$", "$")
                for line in unit.splitlines() if line.startswith(("ExecStartPre=", "ExecStart="))]
    for command in commands:
        result = subprocess.run(command, shell=True, cwd=tmp_path, capture_output=True, text=True, timeout=60,
                                env={"PATH": "/usr/bin:/bin", "TOCDS_DATABASE_URL": "sqlite:///tocds.db"})
        assert result.returncode == 0, result.stderr
    copy = tmp_path / "backups" / f"tocds-{datetime.date.today():%Y-%m-%d}.db"
    assert copy.stat().st_size > 0
