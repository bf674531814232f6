"""`tocds admin report-settings`: the sender's details of the report a commune (or a province)
sends to the level above (`/baocaoky`, `tocds export --format docx`, the period reports)."""

from .common import add_place, settings_and_session, unit_named

OPTIONS = {  # setting → its option's help
    "parent_body": "the body above the issuer, first line of the letterhead (UBND HUYỆN …)",
    "issuer": "the issuing body (UBND XÃ ĐỒNG PHÚ)",
    "symbol": "the number's symbol after Số: …/ (BC-UBND)",
    "place": "the place in the place-date line (Đồng Phú)",
    "signer_title": "the signer's title, lines separated by | (TM. ỦY BAN NHÂN DÂN|CHỦ TỊCH)",
    "signer_name": "the signer's full name",
    "recipients": "the recipients (nơi nhận), separated by | (UBND huyện|Lưu: VT)",
}


def add_commands(admin) -> None:
    report = admin.add_parser(
        "report-settings", help="show or set the issuing body, signer and recipients of the report upward "
                                "(an option given as '' clears it)")
    add_place(report, "the province's report")
    for name, text in OPTIONS.items():
        report.add_argument(f"--{name.replace('_', '-')}", dest=name, help=text)
    report.set_defaults(run=cmd_report_settings)


def cmd_report_settings(args) -> int:
    from ...models.report_settings import FIELDS, report_settings, set_report_settings

    _, session = settings_and_session()
    with session:
        unit = unit_named(session, args)
        given = {name: getattr(args, name) for name in FIELDS}
        if any(value is not None for value in given.values()):
            lines = {name: "\n".join(part.strip() for part in value.split("|")) if value else value
                     for name, value in given.items()}
            settings = set_report_settings(session, unit.id, **lines)
        else:
            settings = report_settings(session, unit.id)
        print(unit.name)
        for name in FIELDS:
            value = getattr(settings, name)
            print(f"  {name.replace('_', '-')}: {' | '.join(value.splitlines()) if value else '(not set: a dotted line)'}")
    return 0
