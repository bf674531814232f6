"""What a commune's (or a province's) report to the level above says of its sender: the
issuing body, the number's symbol, the place, the signer and the recipients
(`tocds admin report-settings`). Unset, the document leaves a dotted line to fill in by hand."""

from sqlmodel import Field, Session, SQLModel

# The settings the command sets, by option name (`--signer-title`), in the document's order.
FIELDS = ("parent_body", "issuer", "symbol", "place", "signer_title", "signer_name", "recipients")


class ReportSettings(SQLModel, table=True):
    __tablename__ = "report_settings"

    unit_id: int = Field(foreign_key="org_unit.id", primary_key=True, description="a commune or a province")
    parent_body: str | None = Field(default=None, max_length=200, description="cơ quan chủ quản: UBND HUYỆN …")
    issuer: str | None = Field(default=None, max_length=200, description="cơ quan ban hành: UBND XÃ …")
    symbol: str | None = Field(default=None, max_length=40, description="the number's symbol: BC-UBND")
    place: str | None = Field(default=None, max_length=100, description="the place-date line's place: Đồng Phú")
    signer_title: str | None = Field(default=None, max_length=200, description="TM. ỦY BAN NHÂN DÂN / CHỦ TỊCH")
    signer_name: str | None = Field(default=None, max_length=200)
    recipients: str | None = Field(default=None, max_length=2000, description="nơi nhận, one per line")

    @property
    def recipient_list(self) -> list[str]:
        return [line.strip() for line in (self.recipients or "").splitlines() if line.strip()]


def report_settings(session: Session, unit_id: int) -> ReportSettings:
    """The unit's settings; empty ones when it has none yet."""
    return session.get(ReportSettings, unit_id) or ReportSettings(unit_id=unit_id)


def set_report_settings(session: Session, unit_id: int, **values: str | None) -> ReportSettings:
    """Changes the given settings (None: left as it is; "": cleared) and keeps the others."""
    settings = report_settings(session, unit_id)
    for name, value in values.items():
        if name not in FIELDS:
            raise ValueError(f"no report setting {name!r}")
        if value is not None:
            setattr(settings, name, value.strip() or None)
    session.add(settings)
    session.commit()
    return settings
