"""`tocds doctor`: prints bot/doctor.py's findings; exit 1 on an error."""


def add_commands(commands) -> None:
    doctor = commands.add_parser(
        "doctor", help="check the database, messengers, evidence folder, clock, backup and jobs; exit 1 on an error")
    doctor.set_defaults(run=cmd_doctor, database=None)  # it says itself what is wrong with the database


def cmd_doctor(args) -> int:
    from ..doctor import ERROR, examine
    from ..run import configured_channels
    from ..settings import get_settings

    settings = get_settings()
    findings = examine(settings, configured_channels(settings))
    for finding in findings:
        print(finding.line())
    return 1 if any(f.status == ERROR for f in findings) else 0
