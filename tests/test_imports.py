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
Xã Đồng Phú,,vneid,6028,80%,,2026-01-01,2026-12-31
Xã Đồng Phú,Thôn Tân Hòa,bdhvs,120,"80,5",,01/01/2026,30/06/2026
xa dong phu,thon phu loi,VNEID,10, 70 % ,,2026-02-01,31/12/2026
Xã Đồng Phú,,dvc,0,,1.200,2026-01-01,2026-12-31
Xã Đồng Phú,Thôn Phú Lợi,ssk,,95,,2026-01-01,2026-12-31
""")
    assert import_targets(session, path) == 5
    assert target_rows(session) == {
        ("Xã Đồng Phú", "vneid"): (6028, 80.0, None, date(2026, 1, 1), date(2026, 12, 31)),
        ("Thôn Tân Hòa", "bdhvs"): (120, 80.5, None, date(2026, 1, 1), date(2026, 6, 30)),
        ("Thôn Phú Lợi", "vneid"): (10, 70.0, None, date(2026, 2, 1), date(2026, 12, 31)),
        ("Xã Đồng Phú", "dvc"): (0, None, 1200, date(2026, 1, 1), date(2026, 12, 31)),
        ("Thôn Phú Lợi", "ssk"): (0, 95.0, None, date(2026, 1, 1), date(2026, 12, 31)),
    }


def test_targets_without_target_count_column(session, tmp_path, commune):
    path = write(tmp_path, f"{TARGETS_HEADER}\nXã Đồng Phú,,tt,4200,80,2026-01-01,2026-12-31\n")
    assert import_targets(session, path) == 1
    assert target_rows(session) == {("Xã Đồng Phú", "tt"): (4200, 80.0, None, date(2026, 1, 1), date(2026, 12, 31))}


def test_targets_reimport_replaces_values(session, tmp_path, commune):
    first = write(tmp_path, f"""{TARGETS_HEADER}
Xã Đồng Phú,,vneid,6028,80,2026-01-01,2026-12-31
Xã Đồng Phú,Thôn Tân Hòa,vneid,100,60,2026-01-01,2026-12-31
""", "first.csv")
    assert import_targets(session, first) == 2
    ids = [row[0] for row in targets(session)]
    assert import_targets(session, first) == 2
    assert [row[0] for row in targets(session)] == ids  # no duplicates
    second = write(tmp_path, f"""{TARGETS_HEADER_WITH_COUNT}
Xã Đồng Phú,,vneid,6100,85,,2026-03-01,2027-03-01
Xã Đồng Phú,Thôn Tân Hòa,vneid,0,,300,2026-03-01,2026-09-30
""", "second.csv")
    assert import_targets(session, second) == 2
    assert [row[0] for row in targets(session)] == ids
    assert target_rows(session) == {
        ("Xã Đồng Phú", "vneid"): (6100, 85.0, None, date(2026, 3, 1), date(2027, 3, 1)),
        ("Thôn Tân Hòa", "vneid"): (0, None, 300, date(2026, 3, 1), date(2026, 9, 30)),
    }


GOOD_TARGET = "Xã Đồng Phú,,vneid,6028,80,2026-01-01,2026-12-31"


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
