"""Ready-made systemd unit files (`tocds service`), shipped in the package under `services/`:
`tocds@.service` runs one tocds command per instance (`tocds@run`, or `tocds@serve` with
`tocds@scheduler`), `tocds-backup.service` and its `.timer` copy the SQLite database daily.

They are templates for the three things that differ between servers: the user tocds runs as,
its folder (the working directory, with `.env` and the SQLite file) and the `tocds` program.
"""

import sys
from importlib import resources
from pathlib import Path

DEFAULT_USER = "tocds"
DEFAULT_FOLDER = Path("/var/lib/tocds")


def installed_tocds() -> Path:
    """The `tocds` program of this installation (its virtual environment's)."""
    return Path(sys.executable).parent / "tocds"


def unit_files(user: str = DEFAULT_USER, folder: Path = DEFAULT_FOLDER, tocds: Path | None = None) -> dict[str, str]:
    """File name → its text, for that user, folder and program."""
    shipped = resources.files("tocds.bot").joinpath("services")
    return {
        template.name: template.read_text(encoding="utf-8").format(
            user=user, folder=folder, tocds=tocds or installed_tocds())
        for template in sorted(shipped.iterdir(), key=lambda t: t.name)
        if template.name.endswith((".service", ".timer"))
    }


def summary(text: str) -> str:
    """A unit file's first comment line: what it is for."""
    return text.splitlines()[0].removeprefix("# ")
