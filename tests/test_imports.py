"""The operator's CSV imports (models/imports.py): villages with denominators, and targets."""

import re
from datetime import date

import pytest
from sqlalchemy import select

from helpers import FIGURES
from tocds.models import Level, OrgUnit, Target
from tocds.models.imports import ImportProblem, import_targets, import_villages

TZ = "Asia/Ho_Chi_Minh"
VILLAGES_HEADER = "commune,village,households,population,adults,pop15"
TARGETS_HEADER = "commune,village,indicator,baseline,target_percent,start,deadline"
TARGETS_HEADER_WITH_COUNT = "commune,village,indicator,baseline,target_percent,target_count,start,deadline"

GOOD_VILLAGES = f"""{VILLAGES_HEADER}
Xã Đồng Phú,Thôn Tân Hòa,420,1650,1180,1290
Xã Đồng Phú,Thôn Phú Lợi,380,1490,1050,1160
Xã Hòa Bình,Ấp Bàu Sen,510,2010,1420,1560
"""


def write(tmp_path, text: str, name: str = "file.csv", encoding: str = "utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def org_units(session) -> list[tuple]:
    """Every org unit row, read fresh from the database."""
    session.expire_all()
    return [tuple(row) for row in session.execute(select(OrgUnit.__table__).order_by(OrgUnit.id))]


def targets(session) -> list[tuple]:
    session.expire_all()
    return [tuple(row) for row in session.execute(select(Target.__table__).order_by(Target.id))]


def villages_by_name(session) -> dict[str, tuple]:
    """{(commune, village): (households, population, adults, pop15)}."""
    session.expire_all()
    communes = {u.id: u.name for u in session.scalars(select(OrgUnit).where(OrgUnit.level == Level.COMMUNE))}
    return {
        (communes[v.parent_id], v.name): tuple(v.sizes.get(name) for name in FIGURES)
        for v in session.scalars(select(OrgUnit).where(OrgUnit.level == Level.VILLAGE))
    }


def assert_problem(problem: ImportProblem, path, row: int, column: str) -> None:
    message = str(problem)
    assert str(path) in message, message
    assert re.search(rf"\brow {row}\b", message), message
    assert re.search(rf"\bcolumn {re.escape(column)}\b", message), message


# ── villages ────────────────────────────────────────────────────────────────────────────


def test_villages_import_creates_communes_and_villages_with_denominators(session, tmp_path):
    path = write(tmp_path, GOOD_VILLAGES)
    assert import_villages(session, path, TZ)[:2] == (3, 0)

    communes = session.scalars(select(OrgUnit).where(OrgUnit.level == Level.COMMUNE).order_by(OrgUnit.id)).all()
    assert [(c.name, c.parent_id, c.timezone) for c in communes] == [
        ("Xã Đồng Phú", None, TZ),
        ("Xã Hòa Bình", None, TZ),
    ]
    assert villages_by_name(session) == {
        ("Xã Đồng Phú", "Thôn Tân Hòa"): (420, 1650, 1180, 1290),
        ("Xã Đồng Phú", "Thôn Phú Lợi"): (380, 1490, 1050, 1160),
        ("Xã Hòa Bình", "Ấp Bàu Sen"): (510, 2010, 1420, 1560),
    }
    tan_hoa = session.scalars(select(OrgUnit).where(OrgUnit.name == "Thôn Tân Hòa")).one()
    assert (tan_hoa.level, tan_hoa.name_key) == (Level.VILLAGE, "thon tan hoa")


def test_villages_carry_any_figure_and_the_import_names_those_no_indicator_uses(session, tmp_path):
    """A plan's own denominators (`shops`, `smartphone_owners`) are columns like the others:
    stored whatever their name; the import says which no indicator takes a percentage of."""
    from tocds.models import Indicator

    session.add(Indicator(key="qr_shop", name_vi="Cửa hàng QR", name_en="QR shops", short_vi="Cửa hàng QR",
                          short_en="QR shops", denominator="shops", position=10))
    session.commit()
    text = ("commune,village,households,population,adults,shops,smartphone_owners\n"
            "Xã A,Thôn 1,120,480,330,12,300\n"
            "Xã A,Thôn 2,90,350,250,,210\n")
    imported = import_villages(session, write(tmp_path, text), TZ)
    assert imported == (2, 0, ("smartphone_owners",))
    sizes = dict(session.execute(select(OrgUnit.name, OrgUnit.sizes).where(OrgUnit.level == Level.VILLAGE)).all())
    assert sizes == {"Thôn 1": {"households": 120, "population": 480, "adults": 330, "shops": 12, "smartphone_owners": 300},
                     "Thôn 2": {"households": 90, "population": 350, "adults": 250, "smartphone_owners": 210}}
    # A later file without the column leaves the figure; an empty cell takes it away.
    again = "commune,village,households,population,adults,smartphone_owners\nXã A,Thôn 1,120,480,330,\n"
    assert import_villages(session, write(tmp_path, again, "again.csv"), TZ) == (0, 1, ("smartphone_owners",))
    session.expire_all()
    assert session.execute(select(OrgUnit.sizes).where(OrgUnit.name == "Thôn 1")).scalar_one() == {
        "households": 120, "population": 480, "adults": 330, "shops": 12}


@pytest.mark.parametrize("header, row, column", [
    ("commune,village,households,population,adults,ghi chú", "Xã A,Thôn 1,1,4,3,gần chợ", "ghi chú"),
    ("commune,village,households,population,adults,shops", "Xã A,Thôn 1,1,4,3,nhiều", "shops"),
])
def test_a_figure_column_must_be_named_and_filled_as_a_figure(session, tmp_path, header, row, column):
    with pytest.raises(ImportProblem) as problem:
        import_villages(session, write(tmp_path, f"{header}\n{row}\n"), TZ)
    assert f"column {column}" in str(problem.value)
    assert session.execute(select(OrgUnit)).first() is None  # nothing imported


def test_villages_pop15_is_optional(session, tmp_path):
    no_column = write(tmp_path, "commune,village,households,population,adults\nXã A,Thôn 1,10,40,30\n", "a.csv")
    empty_cell = write(tmp_path, f"{VILLAGES_HEADER}\nXã A,Thôn 2,20,80,60,\nXã A,Thôn 3,5,20,15, \n", "b.csv")
    assert import_villages(session, no_column, TZ)[:2] == (1, 0)
    assert import_villages(session, empty_cell, TZ)[:2] == (2, 0)
    assert villages_by_name(session) == {
        ("Xã A", "Thôn 1"): (10, 40, 30, None),
        ("Xã A", "Thôn 2"): (20, 80, 60, None),
        ("Xã A", "Thôn 3"): (5, 20, 15, None),
    }


def test_villages_import_is_idempotent(session, tmp_path):
    path = write(tmp_path, GOOD_VILLAGES)
    assert import_villages(session, path, TZ)[:2] == (3, 0)
    before = org_units(session)
    assert import_villages(session, path, TZ)[:2] == (0, 0)
    assert org_units(session) == before
    # Names match without accents, case or extra spaces: still the same villages.
    respelled = write(tmp_path, f"{VILLAGES_HEADER}\nxa dong phu,  THON TAN HOA ,420,1650,1180,1290\n", "b.csv")
    assert import_villages(session, respelled, TZ)[:2] == (0, 0)
    assert org_units(session) == before


def test_changed_denominator_counts_as_updated(session, tmp_path):
    import_villages(session, write(tmp_path, GOOD_VILLAGES), TZ)
    ids = [row[0] for row in org_units(session)]
    changed = GOOD_VILLAGES.replace("380,1490,1050,1160", "385,1490,1050,1160")
    added_village = changed + "Xã Hòa Bình,Ấp Đồng Tâm,295,1130,800,880\n"
    assert import_villages(session, write(tmp_path, added_village, "b.csv"), TZ)[:2] == (1, 1)
    villages = villages_by_name(session)
    assert villages[("Xã Đồng Phú", "Thôn Phú Lợi")] == (385, 1490, 1050, 1160)
    assert villages[("Xã Hòa Bình", "Ấp Đồng Tâm")] == (295, 1130, 800, 880)
    assert [row[0] for row in org_units(session)][: len(ids)] == ids  # updated in place
    assert len(org_units(session)) == len(ids) + 1


def test_excel_bom_semicolons_and_grouped_numbers(session, tmp_path):
    # Excel in a Vietnamese locale: a BOM, `;` between cells, `.` grouping thousands.
    text = "Commune;Village;Households;Population;Adults;Pop15\r\nXã Đồng Phú;Thôn Tân Hòa;420;1.650;1.180;1.290\r\n"
    path = write(tmp_path, text, encoding="utf-8-sig")
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    assert import_villages(session, path, TZ)[:2] == (1, 0)
    assert villages_by_name(session) == {("Xã Đồng Phú", "Thôn Tân Hòa"): (420, 1650, 1180, 1290)}


def test_empty_lines_rows_and_trailing_cells_are_skipped(session, tmp_path):
    text = f"{VILLAGES_HEADER}\nXã A,Thôn 1,10,40,30,35,,\n,,,,,\n\nXã A,Thôn 2,20,80,60,70\n,,,,,,,\n"
    assert import_villages(session, write(tmp_path, text), TZ)[:2] == (2, 0)
    assert villages_by_name(session) == {("Xã A", "Thôn 1"): (10, 40, 30, 35), ("Xã A", "Thôn 2"): (20, 80, 60, 70)}


@pytest.mark.parametrize(
    ("bad_file", "row", "column"),
    [
        # The header lacks `adults`.
        ("commune,village,households,population,pop15\nXã A,Thôn 1,10,40,35\n", 1, "adults"),
        ("", 1, "commune"),
        (f"{VILLAGES_HEADER}\nXã A,Thôn 1,10,40,30,35\nXã A,,10,40,30,35\n", 3, "village"),
        (f"{VILLAGES_HEADER}\nXã A,Thôn 1,10,40,30,35\n  ,Thôn 2,10,40,30,35\n", 3, "commune"),
        (f"{VILLAGES_HEADER}\nXã A,Thôn 1,10,40,30,35\nXã A,Thôn 2,nhiều,40,30,35\n", 3, "households"),
        (f"{VILLAGES_HEADER}\nXã A,Thôn 1,10,40,30,35\nXã A,Thôn 2,10,40,30,35\nXã A,Thôn 3,10,-5,30,35\n", 4, "population"),
        (f"{VILLAGES_HEADER}\nXã A,Thôn 1,10,40,30,35\nXã A,Thôn 2,10,40,,35\n", 3, "adults"),
        (f"{VILLAGES_HEADER}\nXã A,Thôn 1,10,40,30,35\nXã A,Thôn 2,10,40,30,2.5\n", 3, "pop15"),
        (f"{VILLAGES_HEADER}\nXã A,Thôn 1,10,40,30,35\nXã A,Thôn 2,10,40,30,\"2,5\"\n", 3, "pop15"),
        # `1650.0` is not 16500, and `1,650` unquoted is one cell too many, not 1650.
        (f"{VILLAGES_HEADER}\nXã A,Thôn 1,10,40,30,35\nXã A,Thôn 2,10,1650.0,30,35\n", 3, "population"),
        (f"{VILLAGES_HEADER}\nXã A,Thôn 1,10,40,30,35\nXã A,Thôn 2,420,1,650,1180,1290\n", 3, "7"),
        # A blank line is a row, as a text editor or a spreadsheet shows it.
        (f"{VILLAGES_HEADER}\nXã A,Thôn 1,10,40,30,35\n\nXã A,Thôn 2,x,40,30,35\n", 4, "households"),
        # Too long for the database, or too large for its integers: still a clear problem.
        (f"{VILLAGES_HEADER}\nXã A,Thôn 1,10,40,30,35\nXã A,{'Thôn ' + 'x' * 300},10,40,30,35\n", 3, "village"),
        (f"{VILLAGES_HEADER}\nXã A,Thôn 1,10,40,30,35\nXã A,Thôn 2,10,99999999999,30,35\n", 3, "population"),
    ],
    ids=["missing-column", "empty-file", "empty-village", "empty-commune", "not-a-number", "negative",
         "empty-required", "decimal", "comma-decimal", "float", "extra-cell", "after-blank-line", "name-too-long", "too-large"],
)
def test_bad_villages_file_names_the_cell_and_imports_nothing(session, tmp_path, bad_file, row, column):
    # Something is there already; the bad file would add villages and change one before failing.
    import_villages(session, write(tmp_path, f"{VILLAGES_HEADER}\nXã A,Thôn 1,1,4,3,3\n", "first.csv"), TZ)
    before = org_units(session)
    path = write(tmp_path, bad_file, "bad.csv")
    with pytest.raises(ImportProblem) as raised:
        import_villages(session, path, TZ)
    assert_problem(raised.value, path, row, column)
    assert org_units(session) == before
    # The session is still usable afterwards.
    assert import_villages(session, write(tmp_path, f"{VILLAGES_HEADER}\nXã A,Thôn 9,1,4,3,3\n", "ok.csv"), TZ)[:2] == (1, 0)


def test_bad_file_leaves_a_new_commune_out_too(session, tmp_path):
    path = write(tmp_path, f"{VILLAGES_HEADER}\nXã Mới,Thôn 1,10,40,30,35\nXã Mới,Thôn 2,10,40,30,-1\n")
    with pytest.raises(ImportProblem):
        import_villages(session, path, TZ)
    assert org_units(session) == []


# ── targets ─────────────────────────────────────────────────────────────────────────────


def target_rows(session) -> dict[tuple[str, str], tuple]:
    """{(org unit name, indicator): (baseline, percent, count, start, deadline)}."""
    session.expire_all()
    names = {u.id: u.name for u in session.scalars(select(OrgUnit))}
    return {
        (names[t.org_unit_id], t.indicator_key): (t.baseline, t.target_percent, t.target_count, t.start, t.deadline)
        for t in session.scalars(select(Target))
    }


def test_targets_commune_wide_and_per_village(session, tmp_path, commune):
    path = write(tmp_path, f"""{TARGETS_HEADER_WITH_COUNT}
Xã Đồng Phú,,vneid,428,80%,,2026-01-01,2026-12-31
Xã Đồng Phú,Thôn Tân Hòa,bdhvs,120,"80,5",,01/01/2026,30/06/2026
xa dong phu,thon phu loi,VNEID,10, 70 % ,,2026-02-01,31/12/2026
Xã Đồng Phú,,dvc,0,,1.200,2026-01-01,2026-12-31
Xã Đồng Phú,Thôn Phú Lợi,ssk,,95,,2026-01-01,2026-12-31
""")
    assert import_targets(session, path) == 5
    assert target_rows(session) == {
        ("Xã Đồng Phú", "vneid"): (428, 80.0, None, date(2026, 1, 1), date(2026, 12, 31)),
        ("Thôn Tân Hòa", "bdhvs"): (120, 80.5, None, date(2026, 1, 1), date(2026, 6, 30)),
        ("Thôn Phú Lợi", "vneid"): (10, 70.0, None, date(2026, 2, 1), date(2026, 12, 31)),
        ("Xã Đồng Phú", "dvc"): (0, None, 1200, date(2026, 1, 1), date(2026, 12, 31)),
        ("Thôn Phú Lợi", "ssk"): (0, 95.0, None, date(2026, 1, 1), date(2026, 12, 31)),
    }


def test_targets_without_target_count_column(session, tmp_path, commune):
    path = write(tmp_path, f"{TARGETS_HEADER}\nXã Đồng Phú,,tt,420,80,2026-01-01,2026-12-31\n")
    assert import_targets(session, path) == 1
    assert target_rows(session) == {("Xã Đồng Phú", "tt"): (420, 80.0, None, date(2026, 1, 1), date(2026, 12, 31))}


def test_targets_reimport_replaces_values(session, tmp_path, commune):
    first = write(tmp_path, f"""{TARGETS_HEADER}
Xã Đồng Phú,,vneid,428,80,2026-01-01,2026-12-31
Xã Đồng Phú,Thôn Tân Hòa,vneid,100,60,2026-01-01,2026-12-31
""", "first.csv")
    assert import_targets(session, first) == 2
    ids = [row[0] for row in targets(session)]
    assert import_targets(session, first) == 2
    assert [row[0] for row in targets(session)] == ids  # no duplicates
    second = write(tmp_path, f"""{TARGETS_HEADER_WITH_COUNT}
Xã Đồng Phú,,vneid,410,85,,2026-03-01,2027-03-01
Xã Đồng Phú,Thôn Tân Hòa,vneid,0,,300,2026-03-01,2026-09-30
""", "second.csv")
    assert import_targets(session, second) == 2
    assert [row[0] for row in targets(session)] == ids
    assert target_rows(session) == {
        ("Xã Đồng Phú", "vneid"): (410, 85.0, None, date(2026, 3, 1), date(2027, 3, 1)),
        ("Thôn Tân Hòa", "vneid"): (0, None, 300, date(2026, 3, 1), date(2026, 9, 30)),
    }


GOOD_TARGET = "Xã Đồng Phú,,vneid,428,80,2026-01-01,2026-12-31"


@pytest.mark.parametrize(
    ("bad_row", "column"),
    [
        ("Xã Khác,,vneid,0,80,2026-01-01,2026-12-31", "commune"),
        ("Xã Đồng Phú,Thôn Khác,vneid,0,80,2026-01-01,2026-12-31", "village"),
        ("Xã Đồng Phú,,xyz,0,80,2026-01-01,2026-12-31", "indicator"),
        ("Xã Đồng Phú,,,0,80,2026-01-01,2026-12-31", "indicator"),
        ("Xã Đồng Phú,,ho,0,120,2026-01-01,2026-12-31", "target_percent"),
        ("Xã Đồng Phú,,ho,0,0,2026-01-01,2026-12-31", "target_percent"),
        ("Xã Đồng Phú,,ho,0,-5%,2026-01-01,2026-12-31", "target_percent"),
        ("Xã Đồng Phú,,ho,0,nhiều,2026-01-01,2026-12-31", "target_percent"),
        ("Xã Đồng Phú,,ho,0,,2026-01-01,2026-12-31", "target_percent"),
        ("Xã Đồng Phú,,ho,0,80,2026-12-31,2026-01-01", "deadline"),
        ("Xã Đồng Phú,,ho,0,80,2026-06-01,2026-06-01", "deadline"),
        ("Xã Đồng Phú,,ho,0,80,31/02/2026,2026-12-31", "start"),
        ("Xã Đồng Phú,,ho,0,80,,2026-12-31", "start"),
        ("Xã Đồng Phú,,ho,0,80,2026-01-01,12/31/2026", "deadline"),
        ("Xã Đồng Phú,,ho,-3,80,2026-01-01,2026-12-31", "baseline"),
    ],
    ids=["unknown-commune", "unknown-village", "unknown-indicator", "empty-indicator", "percent-above-100",
         "percent-zero", "percent-negative", "percent-not-a-number", "no-goal", "deadline-before-start",
         "deadline-is-start", "bad-start", "no-start", "us-date", "negative-baseline"],
)
def test_bad_targets_file_names_the_cell_and_imports_nothing(session, tmp_path, commune, bad_row, column):
    import_targets(session, write(tmp_path, f"{TARGETS_HEADER}\nXã Đồng Phú,,ho,1,50,2026-01-01,2026-12-31\n", "a.csv"))
    before = targets(session)
    # Row 2 is good (and would change the existing target), row 3 adds one, row 4 is bad.
    path = write(tmp_path, f"""{TARGETS_HEADER}
Xã Đồng Phú,,ho,2,60,2026-01-01,2026-12-31
{GOOD_TARGET}
{bad_row}
""", "bad.csv")
    with pytest.raises(ImportProblem) as raised:
        import_targets(session, path)
    assert_problem(raised.value, path, 4, column)
    assert targets(session) == before


def test_targets_header_must_have_every_column(session, tmp_path, commune):
    path = write(tmp_path, "commune,village,indicator,baseline,target_percent,start\n"
                           "Xã Đồng Phú,,ho,0,80,2026-01-01\n")
    with pytest.raises(ImportProblem) as raised:
        import_targets(session, path)
    assert_problem(raised.value, path, 1, "deadline")
    assert targets(session) == []


def test_problem_messages_say_how_to_fix(session, tmp_path, commune):
    cases = {
        "Xã Khác,,ho,0,80,2026-01-01,2026-12-31": "import the villages first",
        "Xã Đồng Phú,,xyz,0,80,2026-01-01,2026-12-31": "bdhvs, cks, dvc, ho, ssk, tt, vneid",
        "Xã Đồng Phú,,ho,0,80,1/13/2026,2026-12-31": "YYYY-MM-DD or dd/mm/yyyy",
    }
    for number, (row, hint) in enumerate(cases.items()):
        path = write(tmp_path, f"{TARGETS_HEADER}\n{row}\n", f"{number}.csv")
        with pytest.raises(ImportProblem, match=re.escape(hint)):
            import_targets(session, path)


def test_a_file_without_pop15_keeps_the_figure_already_there(session, tmp_path):
    with_pop15 = tmp_path / "a.csv"
    with_pop15.write_text("commune,village,households,population,adults,pop15\nXã A,Thôn B,10,40,30,33\n",
                          encoding="utf-8")
    without = tmp_path / "b.csv"
    without.write_text("commune,village,households,population,adults\nXã A,Thôn B,10,40,30\n",
                       encoding="utf-8")
    import_villages(session, with_pop15, "Asia/Ho_Chi_Minh")
    assert import_villages(session, without, "Asia/Ho_Chi_Minh")[:2] == (0, 0)
    village = session.execute(select(OrgUnit).where(OrgUnit.name == "Thôn B")).scalar_one()
    assert village.sizes["pop15"] == 33


def test_a_percentage_for_an_indicator_without_denominator_is_refused(session, tmp_path):
    villages = tmp_path / "v.csv"
    villages.write_text("commune,village,households,population,adults\nXã A,Thôn B,10,40,30\n", encoding="utf-8")
    import_villages(session, villages, "Asia/Ho_Chi_Minh")
    targets = tmp_path / "t.csv"
    targets.write_text("commune,village,indicator,baseline,target_percent,start,deadline\n"
                       "Xã A,,dvc,0,50,2026-01-01,2026-12-31\n", encoding="utf-8")
    with pytest.raises(ImportProblem, match=r"t\.csv, row 2, column target_percent: dvc is counted"):
        import_targets(session, targets)


# ── guards: near names, garbled text, encodings, targets that cannot be meant ────────────


KHE_BAI = f"{VILLAGES_HEADER}\nXã Nghĩa Lộc,Xóm Khe Bai,100,400,300,320\nXã Nghĩa Lộc,Xóm 1,10,40,30,32\n"


@pytest.mark.parametrize(("row", "column", "near"), [
    ("Xã Nghĩa Lộc,Thôn Khe Bai,20,88,60,64", "village", "Xóm Khe Bai"),  # the kind word
    ("Xã Nghĩa Lộc,Thôn Khê Bải,20,88,60,64", "village", "Xóm Khe Bai"),  # the kind word and accents
    ("Xã Nghĩa Lộc,Xóm Khe Bay,20,88,60,64", "village", "Xóm Khe Bai"),  # one letter
    ("Phường Nghĩa Lộc,Xóm Khe Bai,20,88,60,64", "commune", "Xã Nghĩa Lộc"),
    ("Xã Nghia Loc,Xóm Mới,20,88,60,64", "commune", None),  # accents alone: the same commune, not a new one
], ids=["kind-word", "kind-word-and-accents", "one-letter", "commune-kind-word", "same-folded"])
def test_a_new_name_near_one_there_is_refused_unless_confirmed(session, tmp_path, row, column, near):
    import_villages(session, write(tmp_path, KHE_BAI, "first.csv"), TZ)
    path = write(tmp_path, f"{VILLAGES_HEADER}\n{row}\n")
    name = row.split(",")[0 if column == "commune" else 1]
    if near is None:
        assert import_villages(session, path, TZ).added == 1
        assert len(session.scalars(select(OrgUnit).where(OrgUnit.level == Level.COMMUNE)).all()) == 1
        return
    before = org_units(session)
    with pytest.raises(ImportProblem, match=f"'{name}' would be a new {column}, but '{near}' is already there.*"
                                            f"--new '{name}'") as raised:
        import_villages(session, path, TZ)
    assert_problem(raised.value, path, 2, column)
    assert org_units(session) == before
    assert import_villages(session, path, TZ, new=[name.lower()]).added == 1


def test_numbered_villages_are_not_near_each_other(session, tmp_path):
    import_villages(session, write(tmp_path, KHE_BAI, "first.csv"), TZ)
    path = write(tmp_path, f"{VILLAGES_HEADER}\nXã Nghĩa Lộc,Xóm 2,10,40,30,32\nXã Nghĩa Lộc,Thôn 12,1,4,3,3\n")
    assert import_villages(session, path, TZ).added == 2


def test_garbled_text_is_refused_with_the_right_reading_and_the_fix(session, tmp_path):
    garbled = "Xã Nghĩa Lộc".encode().decode("cp1252", errors="replace")
    assert garbled == "XÃ£ NghÄ©a Lá»™c"
    path = write(tmp_path, f"{VILLAGES_HEADER}\nXã A,Thôn 1,1,4,3,3\n{garbled},Thôn Khe Bai,20,88,60,64\n")
    with pytest.raises(ImportProblem, match="'XÃ£ NghÄ©a Lá»™c' is garbled text \\(it reads 'Xã Nghĩa Lộc'.*"
                                            "CSV UTF-8") as raised:
        import_villages(session, path, TZ)
    assert_problem(raised.value, path, 3, "commune")
    assert org_units(session) == []


def test_what_excel_saves_is_read_or_refused_with_row_and_fix(session, tmp_path):
    unicode_text = f"{VILLAGES_HEADER}\nXã Đồng Phú,Thôn Phú Lợi,380,1490,1050,1160\n".replace(",", "\t")
    assert import_villages(session, write(tmp_path, unicode_text, "u16.csv", "utf-16"), TZ).added == 1
    assert ("Xã Đồng Phú", "Thôn Phú Lợi") in villages_by_name(session)
    # Bytes both Windows code pages read alike are taken; Vietnamese letters that they read
    # differently (ã is ă in CP1258) are not guessed.
    alike = write(tmp_path, f"{VILLAGES_HEADER}\nXa Kon Tum,Thôn Kôn,1,4,3,3\n", "alike.csv", "cp1252")
    assert import_villages(session, alike, TZ).added == 1
    assert ("Xa Kon Tum", "Thôn Kôn") in villages_by_name(session)
    differ = write(tmp_path, f"{VILLAGES_HEADER}\nXa Kon Tum,Thôn 1,1,4,3,3\nXa Kon Tum,Thôn Bã,1,4,3,3\n",
                   "differ.csv", "cp1252")
    with pytest.raises(ImportProblem, match=r"row 3: the file is not saved as UTF-8.* save it as CSV UTF-8: "
                                            r"in Excel: File › Save As › \"CSV UTF-8"):
        import_villages(session, differ, TZ)


@pytest.mark.parametrize(("cells", "column", "says"), [
    ("0,0.8,", "target_percent", "0.8 looks like a share written as a fraction: write 80 for 80%"),
    ("0,1,", "target_percent", "write 100 for 100%"),
    ("500,80,", "baseline", r"baseline 500 is already at or above the target \(80% of population = 320\)"),
    ("700,,600", "baseline", r"baseline 700 is already at or above the target \(600\)"),
    ("0,80,600", "target_count", "both a percent \\(80\\) and a count \\(600\\): keep the one"),
], ids=["fraction", "one", "baseline-above-percent", "baseline-above-count", "percent-and-count"])
def test_targets_that_cannot_be_meant_are_refused(session, tmp_path, commune, cells, column, says):
    # Tân Hòa's population is 400: 80% of it is 320.
    village = "Thôn Tân Hòa" if column == "baseline" and "80," in cells else ""
    path = write(tmp_path, f"{TARGETS_HEADER_WITH_COUNT}\nXã Đồng Phú,{village},vneid,{cells},2026-01-01,2026-12-31\n")
    with pytest.raises(ImportProblem, match=says) as raised:
        import_targets(session, path)
    assert_problem(raised.value, path, 2, column)
    assert targets(session) == []


def test_a_small_percentage_with_its_sign_is_taken_as_written(session, tmp_path, commune):
    path = write(tmp_path, f"{TARGETS_HEADER}\nXã Đồng Phú,,vneid,0,\"0,8%\",2026-01-01,2026-12-31\n")
    assert import_targets(session, path) == 1
    assert target_rows(session)[("Xã Đồng Phú", "vneid")][1] == 0.8
