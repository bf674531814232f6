"""Places fixed without a database console: a village or commune renamed, merged into another,
a village retired from a day on, an empty place deleted (models/places.py, `tocds admin place`)."""

from datetime import timedelta

import pytest
from sqlmodel import select

from helpers import MONDAY, NOW, TODAY, Chatter, add_target, fresh, live_counts, make_commune, totals_drift
from tocds.jobs.reminders import missing_villages
from tocds.models import Entry, Evidence, Invite, Membership, OrgUnit, PlaceEvent, Role, Target
from tocds.models.periods import week_of
from tocds.models.places import PlaceRefused, delete_empty, merge, rename, retire, unretire
from tocds.models.queries import commune_table, weekly_counts
from tocds.models.summary import weekly_summary

KHE_BAI, DUPLICATE = "Xóm Khe Bai", "Thôn Khe Bai"
# The duplicate is smaller than the village it copies, as a mistaken row usually is: its
# population still raises the commune's VNeID target until it is gone.
FIGURES = {KHE_BAI: (100, 400, 300, 320), DUPLICATE: (20, 88, 60, 64), "Thôn Tân Hòa": (120, 500, 350, 380)}


@pytest.fixture
def khe_bai(session):
    return make_commune(session, "Xã Nghĩa Lộc", FIGURES)


@pytest.fixture
def ha(session, khe_bai):
    return Chatter(session, "Hà", [khe_bai.unit], Role.OFFICE)


def village(session, name: str) -> OrgUnit | None:
    return session.exec(select(OrgUnit).where(OrgUnit.name == name)).first()


def test_a_merged_village_brings_its_reports_members_evidence_and_targets(session, khe_bai, ha):
    duplicate, kept = khe_bai.villages[DUPLICATE], khe_bai.villages[KHE_BAI]
    lan = Chatter(session, "Lan", [duplicate], Role.MEMBER)
    lan.say("vneid 5 bdhvs 2")
    Chatter(session, "Sen", [kept], Role.MEMBER).say("vneid 3")
    entry = session.exec(select(Entry)).first()
    session.add(Evidence(entry_id=entry.id, person_id=entry.person_id, channel="console", chat_id="Lan",
                         message_id="p1", kind="photo", file_ref="x"))
    add_target(session, duplicate, "bdhvs", percent=50)
    add_target(session, duplicate, "vneid", percent=50)
    add_target(session, kept, "vneid", percent=80)
    event = merge(session, duplicate, kept, NOW)
    session.commit()
    fresh(session)
    assert village(session, DUPLICATE) is None
    assert live_counts(session, kept) == {"vneid": 8, "bdhvs": 2}
    assert totals_drift(session) == {}  # the running totals moved with the counts
    assert [m.org_unit_id for m in session.exec(select(Membership).where(Membership.role == Role.MEMBER))] == [
        kept.id, kept.id]
    targets = {t.indicator_key: t.target_percent for t in session.exec(select(Target).where(
        Target.org_unit_id == kept.id))}
    assert targets == {"vneid": 80, "bdhvs": 50}  # the kept village's own target wins where both had one
    assert event.detail == "evidence=1 entries=1 targets_dropped=1 targets=1 members=1"
    assert lan.say("vneid 1").startswith(f"✅ Đã lưu cho {KHE_BAI}")
    audit = ha.say("/nhatky")
    assert (f"· quản trị máy chủ · {DUPLICATE}: đã gộp vào {KHE_BAI} · minh chứng 1 · báo cáo 1 · "
            "chỉ tiêu trùng (giữ của nơi nhận) 1 · chỉ tiêu 1 · thành viên 1") in audit


def test_a_merge_that_cannot_be_made_says_what_to_do_and_changes_nothing(session, khe_bai):
    other = make_commune(session, "Xã Đồng Phú")
    duplicate, kept = khe_bai.villages[DUPLICATE], khe_bai.villages[KHE_BAI]
    with pytest.raises(PlaceRefused, match="is in Xã Nghĩa Lộc and .* in Xã Đồng Phú: merge their communes"):
        merge(session, duplicate, other.villages["Thôn Tân Hòa"], NOW)
    Chatter(session, "Lan", [duplicate, kept], Role.MEMBER)
    with pytest.raises(PlaceRefused, match=f"Lan belong to both '{DUPLICATE}' and '{KHE_BAI}': remove"):
        merge(session, duplicate, kept, NOW)
    with pytest.raises(PlaceRefused, match="is the place itself"):
        merge(session, kept, kept, NOW)
    with pytest.raises(PlaceRefused, match="a village and .* a commune"):
        merge(session, kept, other.unit, NOW)
    fresh(session)
    assert village(session, DUPLICATE) is not None and session.exec(select(PlaceEvent)).all() == []


def test_a_commune_merged_brings_its_villages_and_refuses_two_of_one_name(session, khe_bai):
    garbled = make_commune(session, "XÃ£ NghÄ©a Lá»™c", {"Thôn Mới": (10, 40, 30, 32)})
    add_target(session, garbled.unit, "vneid", percent=60)
    Chatter(session, "Mới", [garbled.villages["Thôn Mới"]], Role.MEMBER).say("vneid 4", NOW)
    Chatter(session, "Sen", [khe_bai.villages[KHE_BAI]], Role.MEMBER).say("vneid 30", NOW)
    merge(session, garbled.unit, khe_bai.unit, NOW)
    session.commit()
    fresh(session)
    assert village(session, "Thôn Mới").parent_id == khe_bai.unit.id
    assert totals_drift(session) == {}  # the week's 4 now count in the commune merged into
    assert weekly_counts(session, [khe_bai.unit.id], MONDAY, MONDAY + timedelta(days=6))["vneid"] == {MONDAY: 34}
    assert session.exec(select(Target.org_unit_id)).all() == [khe_bai.unit.id]
    twin = make_commune(session, "Xã Nghĩa Lộc 2", {KHE_BAI: (1, 4, 3, 3)})
    with pytest.raises(PlaceRefused, match=f"both have {KHE_BAI}: rename it in 'Xã Nghĩa Lộc 2' first"):
        merge(session, twin.unit, khe_bai.unit, NOW)


def test_a_rename_keeps_everything_and_a_name_taken_is_refused(session, khe_bai, ha):
    duplicate = khe_bai.villages[DUPLICATE]
    with pytest.raises(PlaceRefused, match=f"already a village named '{KHE_BAI}' there: .* merge"):
        rename(session, duplicate, "xom khe bai", NOW)
    rename(session, duplicate, "  Thôn  Khe Bai Trên ", NOW)
    session.commit()
    assert (duplicate.name, duplicate.name_key) == ("Thôn Khe Bai Trên", "thon khe bai tren")
    assert f"· quản trị máy chủ · {DUPLICATE}: đổi tên thành Thôn Khe Bai Trên" in ha.say("/nhatky")


def test_a_retired_village_leaves_targets_denominators_reminders_and_not_reported(session, khe_bai, ha):
    duplicate = khe_bai.villages[DUPLICATE]
    add_target(session, khe_bai.unit, "vneid", percent=80)
    Chatter(session, "Sen", [khe_bai.villages[KHE_BAI]], Role.MEMBER).say("vneid 30", NOW - timedelta(days=14))
    week, earlier = week_of(TODAY), week_of(TODAY - timedelta(days=14))
    before = weekly_summary(session, khe_bai.unit, week, TODAY)
    assert before.progress["vneid"].target == pytest.approx(0.8 * (400 + 88 + 500))
    assert DUPLICATE in [v.name for v in before.missing]

    retire(session, duplicate, MONDAY, NOW)
    session.commit()
    after = weekly_summary(session, khe_bai.unit, week, TODAY)
    assert after.progress["vneid"].target == pytest.approx(0.8 * (400 + 500))
    assert after.progress["vneid"].ratio > before.progress["vneid"].ratio
    assert DUPLICATE not in [v.village.name for v in after.villages]
    assert DUPLICATE not in [v.name for v in missing_villages(session, khe_bai.unit, NOW)]
    assert DUPLICATE not in ha.say("/tiendo") and DUPLICATE not in ha.say("/chuabaocao")
    # A period begun before the retirement keeps it: its figures and its export.
    past = weekly_summary(session, khe_bai.unit, earlier, TODAY)
    assert DUPLICATE in [v.village.name for v in past.villages]
    assert DUPLICATE in {row[0] for row in commune_table(session, khe_bai.unit.id, earlier.first, earlier.last)}
    assert DUPLICATE not in {row[0] for row in commune_table(session, khe_bai.unit.id, week.first, week.last)}
    assert f"· quản trị máy chủ · {DUPLICATE}: không tính nữa từ 23/11/2026" in ha.say("/nhatky")

    unretire(session, duplicate, NOW)
    session.commit()
    assert DUPLICATE in [v.name for v in missing_villages(session, khe_bai.unit, NOW)]


def test_retiring_is_refused_while_people_belong_or_counts_are_dated_from_then_on(session, khe_bai):
    duplicate = khe_bai.villages[DUPLICATE]
    lan = Chatter(session, "Lan", [duplicate], Role.MEMBER)
    lan.say("vneid 2")
    with pytest.raises(PlaceRefused, match=f"Lan still belong to '{DUPLICATE}': merge it"):
        retire(session, duplicate, MONDAY, NOW)
    session.delete(session.exec(select(Membership)).one())
    session.commit()
    with pytest.raises(PlaceRefused, match="has counts dated 2026-11-25 .* or retire it from a later day"):
        retire(session, duplicate, MONDAY, NOW)
    invite = Invite(code="K1", org_unit_id=duplicate.id, role=Role.MEMBER, uses_left=5, expires_at=NOW)
    session.add(invite)
    retire(session, duplicate, TODAY + timedelta(days=1), NOW)
    session.refresh(invite)
    assert invite.uses_left == 0  # its invites stop working
    with pytest.raises(PlaceRefused, match="already retired"):
        retire(session, duplicate, TODAY, NOW)
    with pytest.raises(PlaceRefused, match="only a village is retired"):
        retire(session, khe_bai.unit, TODAY, NOW)


def test_only_an_unused_place_is_deleted(session, khe_bai):
    duplicate = khe_bai.villages[DUPLICATE]
    add_target(session, duplicate, "vneid", percent=50)
    with pytest.raises(PlaceRefused, match="still has 3 village"):
        delete_empty(session, khe_bai.unit, NOW)
    Chatter(session, "Lan", [khe_bai.villages[KHE_BAI]], Role.MEMBER).say("vneid 1")
    with pytest.raises(PlaceRefused, match="has reports and members: merge it"):
        delete_empty(session, khe_bai.villages[KHE_BAI], NOW)
    delete_empty(session, duplicate, NOW)
    session.commit()
    fresh(session)
    assert village(session, DUPLICATE) is None and session.exec(select(Target)).all() == []
    assert [(e.action, e.name, e.commune_id) for e in session.exec(select(PlaceEvent))] == [
        ("delete", DUPLICATE, khe_bai.unit.id)]


def test_a_place_deleted_or_retired_is_no_longer_offered_for_invites(session, khe_bai, ha):
    retire(session, khe_bai.villages[DUPLICATE], MONDAY, NOW)
    session.commit()
    assert DUPLICATE not in ha.say("/moi")
