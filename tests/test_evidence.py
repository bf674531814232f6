"""Evidence: photos without a report this week, `/minhchung`, `/duyet` and `/nhatky`
through the handlers, and how files are kept on disk."""

import asyncio
import hashlib
from dataclasses import replace

from sqlmodel import select

from helpers import DEFAULTS, NOW, Chatter, incoming
from tocds.bot.channels import Failed
from tocds.bot.evidence_files import MAX_FETCH_FAILURES, EvidenceFiles, keep
from tocds.handlers.dispatch import handle
from tocds.models import Entry, Evidence, OutboxMessage, Role
from tocds.models.db import get_writer

TAN_HOA = "Thôn Tân Hòa"


def photo(session, sender: str, message_id: str, caption: str = "", file_ref: str = "file-1", defaults=DEFAULTS,
          **extra):
    message = incoming(sender, caption, message_id, kind="photo", attachment=file_ref, **extra)
    return "\n".join(reply.text for reply in handle(session, message, NOW, defaults))


def test_a_photo_with_no_report_this_week_asks_what_it_proves(session, commune):
    lan = Chatter(session, "Lan", [commune.villages[TAN_HOA]], Role.MEMBER)
    assert photo(session, "lan", "p1") == "Tuần này bạn chưa có báo cáo để kèm ảnh. Ảnh này là minh chứng cho chỉ tiêu nào?"
    assert lan.say("VNeID").startswith("VNeID được bao nhiêu?")
    assert lan.say("4").startswith("✅ Đã lưu cho Thôn Tân Hòa, ngày 25/11/2026: VNeID 4. 📎 Kèm ảnh minh chứng.")
    entry = session.exec(select(Entry)).one()
    assert (entry.message_id, session.exec(select(Evidence.entry_id, Evidence.file_ref)).one()) == (
        "p1", (entry.id, "file-1"))

    # Cancelled: nothing saved, not even the photo.
    Chatter(session, "Hoa", [commune.villages["Thôn Phú Lợi"]], Role.MEMBER)
    photo(session, "hoa", "p2", file_ref="file-2")
    assert Chatter(session, "Hoa", [commune.villages["Thôn Phú Lợi"]], Role.MEMBER).say("Hủy").startswith("Đã hủy")
    assert len(session.exec(select(Evidence)).all()) == 1


def test_in_the_team_group_only_a_photo_captioned_with_a_report_is_for_the_bot(session, commune):
    lan = Chatter(session, "Lan", [commune.villages[TAN_HOA]], Role.MEMBER)
    group = {"chat_id": "nhom-tan-hoa"}
    assert photo(session, "lan", "g1", caption="cả tổ đi họp", file_ref="meeting", **group) == ""  # no question
    lan.say("vneid 5")
    assert photo(session, "lan", "g2", file_ref="lunch", **group) == ""  # nor evidence for this week's report
    assert session.exec(select(Evidence)).all() == []
    assert photo(session, "lan", "g3", caption="vneid 2", file_ref="proof", **group).startswith("✅ Đã lưu")
    assert session.exec(select(Evidence.file_ref)).all() == ["proof"]
    assert photo(session, "lan", "p1", file_ref="sent-privately").startswith("📎")  # in private: evidence


def test_evidence_status_and_review_with_skip_stop_and_a_reason(session, commune):
    lan = Chatter(session, "Lan", [commune.villages[TAN_HOA]], Role.MEMBER)
    hoa = Chatter(session, "Hoa", [commune.villages["Thôn Phú Lợi"]], Role.MEMBER)
    lan.say("vneid 5")
    photo(session, "lan", "p1", file_ref="lan-photo")
    hoa.say("ho 2")
    photo(session, "hoa", "p2", caption="nhà ông Ba", file_ref="hoa-photo")
    assert lan.say("/minhchung").splitlines() == [
        "Gửi ảnh ngay bây giờ: ảnh sẽ kèm báo cáo gần nhất của bạn, Thôn Tân Hòa, ngày 25/11/2026: VNeID 5.",
        "Minh chứng của bạn tuần này: chờ duyệt 1.",
    ]

    office = Chatter(session, "Hà", [commune.unit], Role.OFFICE)
    first = office.say("/duyet")
    assert first.splitlines()[:3] == ["🔎 Minh chứng chờ duyệt: 2", "Thôn Tân Hòa, ngày 25/11/2026: VNeID 5",
                                      "Do Lan gửi, ngày 25/11/2026"]
    assert first.splitlines()[-4:] == ["1. ✅ Duyệt", "2. ⏳ Chờ hoàn thiện", "3. Bỏ qua", "4. Dừng"]
    second = office.say("3")  # skip
    assert "Thôn Phú Lợi, ngày 25/11/2026: Hộ 2" in second and "“nhà ông Ba”" in second
    assert office.say("2").startswith("Thành viên cần hoàn thiện gì?")
    done = office.say("Không thấy số CCCD")
    assert done.splitlines() == ["⏳ Đã chuyển sang “Chờ hoàn thiện”; Hoa sẽ nhận được lý do.",
                                 "Hết minh chứng để duyệt; 1 mục đã bỏ qua vẫn chờ lần /duyet sau."]
    [notice] = session.exec(select(OutboxMessage)).all()
    assert (notice.channel, notice.chat_id) == ("console", "hoa")
    assert notice.payload["text"] == ("⏳ Minh chứng của bạn cho Thôn Phú Lợi, ngày 25/11/2026: Hộ 2 cần hoàn thiện "
                                      "(Chờ hoàn thiện): Không thấy số CCCD\nGửi ảnh mới để hoàn thiện.")

    assert office.say("/duyet").startswith("🔎 Minh chứng chờ duyệt: 1\nThôn Tân Hòa")
    assert office.say("4") == "Đã dừng. Gửi /duyet để duyệt tiếp."
    office.say("/duyet")
    assert office.say("1").splitlines() == ["✅ Đã duyệt.", "Không có minh chứng nào chờ duyệt. 👍"]
    statuses = dict(session.exec(select(Evidence.file_ref, Evidence.status)).all())
    assert statuses == {"lan-photo": "approved", "hoa-photo": "needs_completion"}

    log = office.say("/nhatky").splitlines()
    assert log[0] == "📝 Thay đổi gần đây (mới nhất trước):"
    assert sorted(line.split(": ", 1)[1] for line in log[1:]) == [
        "minh chứng: chờ duyệt → Chờ hoàn thiện — Không thấy số CCCD",
        "minh chứng: chờ duyệt → đã duyệt",
    ]
    lan.say("/sua")
    lan.say("1")
    lan.say("3")
    assert office.say("/nhatky 1").splitlines()[1].endswith("· Lan · Thôn Tân Hòa (25/11): VNeID 5 → 3")


def test_two_reviewers_on_one_item(session, commune):
    lan = Chatter(session, "Lan", [commune.villages[TAN_HOA]], Role.MEMBER)
    lan.say("vneid 5")
    photo(session, "lan", "p1")
    ha = Chatter(session, "Hà", [commune.unit], Role.OFFICE)
    minh = Chatter(session, "Minh", [commune.unit], Role.ADMIN)
    ha.say("/duyet")
    minh.say("/duyet")
    ha.say("1")
    late = minh.say("2")  # Minh pressed "to complete" on the item Hà approved
    assert late.startswith("Hà đã duyệt minh chứng này (25/11/2026): đã duyệt.")
    assert session.exec(select(Evidence.status)).one() == "approved"
    assert not session.exec(select(OutboxMessage)).all()  # Lan is told nothing wrong


def test_files_are_kept_once_by_their_hash(tmp_path):
    digest, relative = keep(tmp_path, b"photo bytes", ".jpg")
    assert digest == hashlib.sha256(b"photo bytes").hexdigest()
    assert relative == f"{digest[:2]}/{digest}.jpg"
    assert keep(tmp_path, b"photo bytes", ".jpg") == (digest, relative)
    assert [p.name for p in tmp_path.rglob("*") if p.is_file()] == [f"{digest}.jpg"]


class FlakyMessenger:
    """A channel whose file server gives one file and has lost the other; `while_fetching`
    runs before a file arrives (the member taking the photo back meanwhile)."""

    name = "console"

    def __init__(self, while_fetching=lambda: None):
        self.while_fetching = while_fetching

    async def download(self, file_ref: str) -> tuple[bytes, str]:
        if file_ref == "gone":
            raise Failed("file: 404", temporary=False)
        await asyncio.to_thread(self.while_fetching)
        return f"content of {file_ref}".encode(), ".jpg"


def test_the_files_loop_keeps_what_it_gets_and_gives_up_on_the_rest(session, commune, db_url, tmp_path):
    lan = Chatter(session, "Lan", [commune.villages[TAN_HOA]], Role.MEMBER)
    lan.say("vneid 5")
    defaults = replace(DEFAULTS, evidence_dir=tmp_path)
    photo(session, "lan", "p1", file_ref="kept", defaults=defaults)
    photo(session, "lan", "p2", file_ref="gone", defaults=defaults)
    files = EvidenceFiles(get_writer(db_url), tmp_path)
    rounds = [asyncio.run(files.collect(FlakyMessenger())) for _ in range(MAX_FETCH_FAILURES + 1)]
    assert rounds == [1] + [0] * MAX_FETCH_FAILURES
    session.expire_all()
    rows = {e.file_ref: e for e in session.exec(select(Evidence)).all()}
    assert (tmp_path / rows["kept"].stored_path).read_bytes() == b"content of kept"
    assert rows["gone"].stored_path is None and rows["gone"].fetch_failures == MAX_FETCH_FAILURES
    assert files.waiting(FlakyMessenger()) == []


def test_a_photo_taken_back_while_it_is_fetched_stays_deleted(session, commune, db_url, tmp_path):
    lan = Chatter(session, "Lan", [commune.villages[TAN_HOA]], Role.MEMBER)
    lan.say("vneid 5")
    defaults = replace(DEFAULTS, evidence_dir=tmp_path)
    photo(session, "lan", "p1", file_ref="mistaken", defaults=defaults)

    def take_back():
        [reply] = handle(session, incoming("lan", "/xoaanh", "m1"), NOW, defaults)
        assert reply.text.startswith("🗑 Đã rút lại và xóa ảnh.")

    files = EvidenceFiles(get_writer(db_url), tmp_path)
    assert asyncio.run(files.collect(FlakyMessenger(take_back))) == 0
    session.expire_all()
    evidence = session.exec(select(Evidence)).one()
    assert (evidence.status, evidence.stored_path, evidence.sha256, evidence.file_deleted_at) == (
        "withdrawn", None, None, NOW)
    assert [p for p in tmp_path.rglob("*") if p.is_file()] == []  # the file fetched meanwhile is gone too
    assert files.waiting(FlakyMessenger(take_back)) == []
