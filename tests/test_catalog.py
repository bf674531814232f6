"""The indicator catalog as data (models/catalog.py, `tocds admin indicators`): imported
whole from the CSV an office writes, shown back in the same format, each commune's list,
and words two indicators share only where nobody could mean both."""

import io
import re
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import event, select
from test_cli import ok, refused, tocds

from helpers import add_target, fresh, make_commune
from tocds.models import (
    AlertState,
    Entry,
    EntryCount,
    Indicator,
    IndicatorAlias,
    Level,
    Membership,
    OrgUnit,
    Person,
    Role,
)
from tocds.models.catalog import (
    CatalogProblem,
    ambiguities,
    has_own_list,
    import_indicators,
    set_tracked,
    write_catalog,
)
from tocds.models.imports import ImportProblem
from tocds.models.indicators import CommuneIndicator
from tocds.models.queries import indicators, progress, tracked, words_for

DEFAULT_KEYS = ["ho", "vneid", "bdhvs", "cks", "tt", "ssk", "dvc"]
HEADER = "key,name_vi,name_en,short_vi,short_en,aliases,denominator,unit"
CAP_QUANG = ("cap_quang,Hộ kết nối cáp quang,Households with fibre,Cáp quang,Fibre,"
             "cáp quang|internet cáp quang|cq,households,hộ")
SMARTPHONE = ("dien_thoai,Người dùng điện thoại thông minh,Smartphone users,Điện thoại TM,Smartphones,"
              "điện thoại thông minh|Điện Thoại Thông Minh|đttm,smartphone_owners,người")
COMMUNE, OTHER = "Xã Đồng Phú", "Xã Hòa Bình"


def write(tmp_path: Path, content: str, name: str = "indicators.csv") -> Path:
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    return path


def shown(session) -> str:
    handle = io.StringIO()
    write_catalog(session, handle)
    return handle.getvalue()


def catalog_rows(session) -> tuple[list, list]:
    """Every indicator and alias row, read fresh."""
    fresh(session)
    return ([tuple(r) for r in session.execute(select(Indicator.__table__).order_by(Indicator.key))],
            [tuple(r) for r in session.execute(select(IndicatorAlias.__table__)
                                               .order_by(IndicatorAlias.indicator_key, IndicatorAlias.alias_key))])


def aliases_of(session, key: str) -> list[str]:
    fresh(session)
    return list(session.execute(select(IndicatorAlias.alias).where(IndicatorAlias.indicator_key == key)
                                .order_by(IndicatorAlias.alias_key)).scalars())


def with_rows(session, *rows: str) -> str:
    """The current catalog as --show writes it, with these rows after it."""
    return shown(session) + "".join(f"{row}\n" for row in rows)


def replacing(session, row: str) -> str:
    """The current catalog as --show writes it, with this row in place of its indicator's."""
    key = row.split(",")[0]
    return "".join((row if line.startswith(f"{key},") else line) + "\n" for line in shown(session).splitlines())


def retired(csv_text: str, *keys: str) -> str:
    """The same file with `yes` in these indicators' retired column (the last one)."""
    return "".join(line + ("yes" if line.split(",")[0] in keys else "") + "\n" for line in csv_text.splitlines())


def villages_with_smartphones(session):
    commune = make_commune(session)
    for village, owners in zip(commune.villages.values(), (600, 150), strict=True):
        village.sizes = {**village.sizes, "smartphone_owners": owners}
        session.add(village)
    session.commit()
    return commune


def join(session, name: str, *units: OrgUnit) -> Person:
    person = Person(name=name)
    session.add(person)
    session.flush()
    for unit in units:
        role = Role.MEMBER if unit.level == Level.VILLAGE else Role.OFFICE
        session.add(Membership(person_id=person.id, org_unit_id=unit.id, role=role))
    session.commit()
    return person


def count_for(session, village: OrgUnit, key: str, n: int = 3) -> None:
    person = Person(name="Lan")
    session.add(person)
    session.flush()
    entry = Entry(person_id=person.id, village_id=village.id, day=date(2026, 11, 24), channel="console",
                  chat_id="Lan", message_id=f"{key}-1")
    session.add(entry)
    session.flush()
    session.add(EntryCount(entry_id=entry.id, village_id=village.id, day=entry.day, person_id=person.id,
                           indicator_key=key, count=n))
    session.commit()


# ── importing ───────────────────────────────────────────────────────────────────────────


def test_a_custom_indicator_with_its_own_denominator_is_tracked_and_counted(session, tmp_path):
    commune = villages_with_smartphones(session)
    path = write(tmp_path, with_rows(session, CAP_QUANG, SMARTPHONE))

    imported = import_indicators(session, path)

    assert imported.added == ["cap_quang", "dien_thoai"]
    assert (imported.updated, imported.retired, imported.restored, imported.removed) == ([], [], [], [])
    assert not imported.reordered and imported.missing_figures == ()
    phone = session.get(Indicator, "dien_thoai")
    assert (phone.name_vi, phone.short_en, phone.denominator, phone.unit, phone.position, phone.retired_at) == (
        "Người dùng điện thoại thông minh", "Smartphones", "smartphone_owners", "người", 8, None)
    assert [i.key for i in tracked(session, commune.unit.id)] == [*DEFAULT_KEYS, "cap_quang", "dien_thoai"]
    # The same word twice in one row (accents and case aside) is one alias, as first written.
    assert aliases_of(session, "dien_thoai") == ["điện thoại thông minh", "đttm"]
    words = words_for(session, [commune.unit.id])
    assert (words["internet cáp quang"], words["cq"], words["đttm"], words["cap_quang"]) == (
        "cap_quang", "cap_quang", "dien_thoai", "cap_quang")

    # A percentage target takes the villages' own figure: 50% of 600 smartphone owners.
    add_target(session, commune.unit, "dien_thoai", percent=50)
    tan_hoa = commune.villages["Thôn Tân Hòa"]
    assert progress(fresh(session), [tan_hoa], date(2026, 11, 25))[tan_hoa.id]["dien_thoai"].target == 300

    # Importing the same file again changes nothing.
    again = import_indicators(session, path)
    assert not again.changed and again.added == again.updated == []


def test_a_denominator_no_village_has_is_imported_and_said(session, tmp_path):
    make_commune(session)
    imported = import_indicators(session, write(tmp_path, with_rows(session, SMARTPHONE)))
    assert imported.added == ["dien_thoai"]
    assert imported.missing_figures == ("smartphone_owners",)


def test_aliases_are_the_files_and_the_rows_order_is_the_catalogs(session, tmp_path):
    import_indicators(session, write(tmp_path, with_rows(session, CAP_QUANG)))
    assert aliases_of(session, "cap_quang") == ["cáp quang", "cq", "internet cáp quang"]

    # Fewer words for cap_quang, the row moved to the top, its key written in capitals.
    rows = shown(session).splitlines()
    moved = rows[-1].replace("cáp quang|cq|internet cáp quang", "cáp quang| mạng  cáp quang |").replace(
        "cap_quang", "Cap_Quang", 1)
    imported = import_indicators(session, write(tmp_path, "\n".join([rows[0], moved, *rows[1:-1]]) + "\n"))
    assert imported.updated == ["cap_quang"] and imported.added == [] and imported.reordered
    assert aliases_of(session, "cap_quang") == ["cáp quang", "mạng cáp quang"]
    assert [i.key for i in indicators(session)] == ["cap_quang", *DEFAULT_KEYS]


def test_retiring_keeps_the_history_and_clearing_tracks_again(session, tmp_path):
    commune = make_commune(session)
    village = commune.villages["Thôn Tân Hòa"]
    count_for(session, village, "cks")
    path = write(tmp_path, retired(shown(session), "cks"))

    imported = import_indicators(session, path)
    assert imported.retired == ["cks"] and imported.updated == []
    when = session.get(Indicator, "cks").retired_at
    assert when is not None and when.utcoffset() is not None
    assert "cks" not in [i.key for i in tracked(session, commune.unit.id)]
    assert {"cks", "chữ ký số"}.isdisjoint(words_for(session, [commune.unit.id]))
    assert session.execute(select(EntryCount.count).where(EntryCount.indicator_key == "cks")).scalar() == 3
    assert shown(session) == path.read_text(encoding="utf-8")

    # Still retired in the next file: the day it was retired stays.
    assert import_indicators(session, path).retired == []
    assert session.get(Indicator, "cks").retired_at == when

    # Any of the ways an office writes it; and an empty cell tracks it again.
    for word in ("có", "X", "1", "true", "Yes"):
        assert not import_indicators(session, write(tmp_path, shown(session).replace(",yes\n", f",{word}\n"))).changed
    imported = import_indicators(session, write(tmp_path, shown(session).replace(",yes\n", ",\n")))
    assert imported.restored == ["cks"] and imported.retired == []
    assert session.get(Indicator, "cks").retired_at is None
    assert [i.key for i in tracked(session, commune.unit.id)] == DEFAULT_KEYS


def test_an_unused_indicator_left_out_is_removed_with_its_words(session, tmp_path):
    import_indicators(session, write(tmp_path, with_rows(session, CAP_QUANG)))
    rows = [line for line in shown(session).splitlines() if not line.startswith("cap_quang,")]
    imported = import_indicators(session, write(tmp_path, "\n".join(rows) + "\n"))
    assert imported.removed == ["cap_quang"]
    assert session.get(Indicator, "cap_quang") is None
    assert aliases_of(session, "cap_quang") == []
    assert [i.key for i in indicators(session)] == DEFAULT_KEYS


@pytest.mark.parametrize(("use", "said"), [
    ("counts", "1 count"),
    ("target", "1 target"),
    ("list", "1 commune's list"),
    ("alert", "1 alert state"),
])
def test_an_indicator_in_use_cannot_be_left_out(session, tmp_path, use, said):
    commune = make_commune(session)
    village = commune.villages["Thôn Tân Hòa"]
    if use == "counts":
        count_for(session, village, "cks", n=1)
    elif use == "target":
        add_target(session, commune.unit, "cks", percent=60)
    elif use == "list":
        set_tracked(session, commune.unit, ["vneid", "cks"])
        session.commit()
    else:
        session.add(AlertState(village_id=village.id, indicator_key="cks", status="red"))
        session.commit()
    before = catalog_rows(session)
    path = write(tmp_path, "\n".join(line for line in shown(session).splitlines() if not line.startswith("cks,")))

    with pytest.raises(ImportProblem) as problem:
        import_indicators(session, path)
    message = str(problem.value)
    assert f"{path}: indicator cks is in use ({said})" in message
    assert "keep its row" in message and "write yes in its retired column" in message
    assert catalog_rows(session) == before


def test_a_bad_cell_stops_the_whole_file_at_its_row_and_column(session, tmp_path):
    before = catalog_rows(session)
    path = write(tmp_path, with_rows(session, CAP_QUANG, SMARTPHONE.replace("smartphone_owners", "số máy")))
    with pytest.raises(ImportProblem) as problem:
        import_indicators(session, path)
    assert f"{path}, row 10, column denominator: 'số máy' is not a figure's name" in str(problem.value)
    assert catalog_rows(session) == before  # cap_quang, on the row before, is not there either
    assert session.get(Indicator, "cap_quang") is None


LONG = "x" * 41


@pytest.mark.parametrize(("row", "column", "said"), [
    ("cap quang,Hộ,Households,Hộ,H,,households,hộ", "key", "'cap quang' is not a key"),
    ("9g,Hộ,Households,Hộ,H,,households,hộ", "key", "is not a key"),
    ("abcdefghijklmnopq,Hộ,Households,Hộ,H,,households,hộ", "key", "16 characters at most"),
    (",Hộ,Households,Hộ,H,,households,hộ", "key", "empty"),
    ("VNeID,Hộ,Households,Hộ,H,,households,hộ", "key", "vneid is already on row 3"),
    ("cq,,Households,Hộ,H,,households,hộ", "name_vi", "empty"),
    ("cq,Hộ,Households,Hộ,   ,,households,hộ", "short_en", "empty"),
    (f"cq,Hộ,Households,{LONG},H,,households,hộ", "short_vi", "more than 40 characters"),
    ("cq,Hộ,Households,Hộ,H,,Số hộ,hộ", "denominator", "is not a figure's name"),
    (f"cq,Hộ,Households,Hộ,H,,households,{LONG}", "unit", "more than 40 characters"),
    (f"cq,Hộ,Households,Hộ,H,cáp|{'c' * 65},households,hộ", "aliases", "longer than 64 characters"),
    ("cq,Hộ,Households,Hộ,H,cáp|12,households,hộ", "aliases", "has no letter"),
    ("cq,Hộ,Households,Hộ,H,cáp,households,hộ,sắp", "retired", "write yes"),
])
def test_each_rule_names_the_cell_and_how_to_fix_it(session, tmp_path, row, column, said):
    before = catalog_rows(session)
    path = write(tmp_path, with_rows(session, row))
    with pytest.raises(ImportProblem) as problem:
        import_indicators(session, path)
    message = str(problem.value)
    assert message.startswith(f"{path}, row 9, column {column}: "), message
    assert said in message, message
    assert catalog_rows(session) == before


def test_a_file_without_a_column_or_without_rows_is_refused(session, tmp_path):
    before = catalog_rows(session)
    with pytest.raises(ImportProblem, match=r"row 1, column unit: missing column"):
        import_indicators(session, write(tmp_path, HEADER.removesuffix(",unit") + "\n" + CAP_QUANG.rsplit(",", 1)[0]))
    with pytest.raises(ImportProblem, match="no indicators: the file is the whole catalog"):
        import_indicators(session, write(tmp_path, HEADER + "\n"))
    with pytest.raises(ImportProblem, match="every indicator is retired"):
        import_indicators(session, write(tmp_path, retired(shown(session), *DEFAULT_KEYS)))
    assert catalog_rows(session) == before


def test_show_writes_what_import_reads_back_unchanged(session, tmp_path):
    original = shown(session)
    assert original.splitlines()[0] == HEADER + ",retired"
    assert [line.split(",")[0] for line in original.splitlines()[1:]] == DEFAULT_KEYS
    assert not import_indicators(session, write(tmp_path, original)).changed
    assert shown(session) == original

    # A catalog with a custom indicator and a retired one, saved again by Excel (with a BOM).
    import_indicators(session, write(tmp_path, retired(with_rows(session, CAP_QUANG, SMARTPHONE), "tt")))
    before, catalog = catalog_rows(session), shown(session)
    excel = tmp_path / "excel.csv"
    excel.write_bytes("\ufeff".encode() + catalog.replace("\n", "\r\n").encode())
    assert not import_indicators(session, excel).changed
    assert shown(session) == catalog and catalog_rows(session) == before


# ── a commune's list ────────────────────────────────────────────────────────────────────


def test_a_communes_list_keeps_its_order_and_the_default_is_every_indicator_not_retired(session, tmp_path):
    commune = make_commune(session)
    import_indicators(session, write(tmp_path, with_rows(session, CAP_QUANG)))
    assert not has_own_list(session, commune.unit)

    set_tracked(session, commune.unit, ["vneid", "BDHVS", "cap_quang"])
    session.commit()
    assert has_own_list(session, commune.unit)
    assert [i.key for i in tracked(session, commune.unit.id)] == ["vneid", "bdhvs", "cap_quang"]
    assert "hộ" not in words_for(session, [commune.unit.id]) and "ho" not in words_for(session, [commune.unit.id])
    fresh(session)
    assert [(c.indicator_key, c.position) for c in session.execute(
        select(CommuneIndicator).order_by(CommuneIndicator.position)).scalars()] == [
        ("vneid", 0), ("bdhvs", 1), ("cap_quang", 2)]

    # A retired indicator leaves the list's tracking but stays in it.
    import_indicators(session, write(tmp_path, retired(shown(session), "bdhvs")))
    assert [i.key for i in tracked(session, commune.unit.id)] == ["vneid", "cap_quang"]

    set_tracked(session, commune.unit, None)
    session.commit()
    assert not has_own_list(session, commune.unit)
    assert [i.key for i in tracked(session, commune.unit.id)] == [k for k in DEFAULT_KEYS if k != "bdhvs"] + [
        "cap_quang"]


@pytest.mark.parametrize(("keys", "said"), [
    ([], "at least one indicator"),
    (["  ", ""], "at least one indicator"),
    (["vneid", "nope"], "unknown indicator 'nope'; use one of ho, vneid, bdhvs, cks, ssk, dvc"),
    (["vneid", "tt"], "tt is retired"),
    (["vneid", "ho", "VNEID"], "vneid is in the list twice"),
])
def test_a_list_that_cannot_be_is_refused_and_nothing_changes(session, tmp_path, keys, said):
    commune = make_commune(session)
    import_indicators(session, write(tmp_path, retired(shown(session), "tt")))
    set_tracked(session, commune.unit, ["ho"])
    session.commit()
    with pytest.raises(CatalogProblem, match=re.escape(said)):
        set_tracked(session, commune.unit, keys)
    assert [i.key for i in tracked(session, commune.unit.id)] == ["ho"]


def test_a_commune_whose_list_would_be_all_retired_stops_the_import(session, tmp_path):
    commune = make_commune(session)
    set_tracked(session, commune.unit, ["dvc"])
    session.commit()
    with pytest.raises(ImportProblem, match=f"{COMMUNE} would track nothing"):
        import_indicators(session, write(tmp_path, retired(shown(session), "dvc")))
    assert session.get(Indicator, "dvc").retired_at is None


# ── words two indicators share ──────────────────────────────────────────────────────────


SHARED = SMARTPHONE.replace("|đttm", "|đttm|cq")  # `cq`: cap_quang's word too


@pytest.fixture
def two_communes(session, tmp_path):
    """Đồng Phú tracks cap_quang, Hòa Bình dien_thoai: neither tracks the other's."""
    first = villages_with_smartphones(session)
    second = make_commune(session, OTHER, {"Ấp Bàu Sen": (510, 2010, 1420, 1560)})
    import_indicators(session, write(tmp_path, with_rows(session, CAP_QUANG, SMARTPHONE)))
    set_tracked(session, first.unit, ["vneid", "cap_quang"])
    set_tracked(session, second.unit, ["ho", "dien_thoai"])
    session.commit()
    return first, second


def test_a_word_two_indicators_share_where_nobody_could_mean_both(session, tmp_path, two_communes):
    first, second = two_communes
    join(session, "Lan", first.villages["Thôn Tân Hòa"], first.villages["Thôn Phú Lợi"])  # two places, one commune
    imported = import_indicators(session, write(tmp_path, replacing(session, SHARED)))
    assert imported.updated == ["dien_thoai"]
    assert ambiguities(session) == []
    assert words_for(session, [first.unit.id])["cq"] == "cap_quang"
    assert words_for(session, [second.unit.id])["cq"] == "dien_thoai"
    # A commune cannot then take both.
    with pytest.raises(CatalogProblem, match=f"'cq' would mean both cap_quang and dien_thoai in {OTHER}"):
        set_tracked(session, second.unit, ["ho", "dien_thoai", "cap_quang"])
    with pytest.raises(CatalogProblem, match="the default is every indicator not retired"):
        set_tracked(session, second.unit, None)
    # Nor a commune without a list of its own (every indicator), nor a person in two of them.
    make_commune(session, "Xã Mới", {"Thôn Một": (1, 1, 1, 1)})
    assert [(a.word, a.keys, a.commune) for a in ambiguities(session)] == [("cq", ("cap_quang", "dien_thoai"), "Xã Mới")]


def test_a_shared_word_is_refused_where_a_commune_tracks_both(session, tmp_path, two_communes):
    first, _ = two_communes
    set_tracked(session, first.unit, ["vneid", "cap_quang", "dien_thoai"])
    session.commit()
    before = catalog_rows(session)
    path = write(tmp_path, replacing(session, SHARED))
    with pytest.raises(ImportProblem) as problem:
        import_indicators(session, path)
    message = str(problem.value)
    assert message.startswith(f"{path}, row 10, column aliases: 'cq' would mean both cap_quang and dien_thoai "
                              f"in {COMMUNE}, which tracks both"), message
    assert "give one of them another word" in message
    assert catalog_rows(session) == before


def test_a_shared_word_is_refused_where_a_person_belongs_to_communes_tracking_one_each(
        session, tmp_path, two_communes):
    first, second = two_communes
    join(session, "Nguyễn Thị Hà", first.villages["Thôn Phú Lợi"], second.unit)  # a member here, office there
    before = catalog_rows(session)
    path = write(tmp_path, replacing(session, SHARED))
    with pytest.raises(ImportProblem) as problem:
        import_indicators(session, path)
    message = str(problem.value)
    assert (f"row 10, column aliases: 'cq' would mean both cap_quang ({COMMUNE}) and dien_thoai ({OTHER}) "
            "to Nguyễn Thị Hà, who belongs to both communes") in message, message
    assert catalog_rows(session) == before

    # Once the word is shared, a list or a place that makes it ambiguous is refused too.
    session.execute(Membership.__table__.delete())
    session.commit()
    import_indicators(session, write(tmp_path, replacing(session, SHARED)))
    join(session, "Trần Văn Tú", first.unit, second.villages["Ấp Bàu Sen"])
    join(session, "Lê Văn Nam", first.unit, second.villages["Ấp Bàu Sen"])
    found = ambiguities(session)
    assert [(a.word, a.people, a.commune_ids) for a in found] == [
        ("cq", ("Lê Văn Nam", "Trần Văn Tú"), (first.unit.id, second.unit.id))]
    assert "to Lê Văn Nam and 1 other, who belong to both communes" in str(found[0])


def test_an_alias_may_be_another_indicators_key(session, tmp_path, two_communes):
    first, second = two_communes
    # `ho` is a key; dien_thoai may answer to it only where nobody tracks both.
    path = write(tmp_path, replacing(session, SMARTPHONE.replace("|đttm", "|đttm|HO")))
    with pytest.raises(ImportProblem, match=f"row 10, column aliases: 'ho' would mean both ho and dien_thoai in {OTHER}"):
        import_indicators(session, path)
    set_tracked(session, second.unit, ["dien_thoai"])
    session.commit()
    assert import_indicators(session, path).updated == ["dien_thoai"]
    assert words_for(session, [second.unit.id])["HO"] == "dien_thoai"
    assert {"ho", "HO"}.isdisjoint(words_for(session, [first.unit.id]))  # Đồng Phú tracks neither


def test_ambiguities_cost_a_few_statements_however_many_people(session, tmp_path, two_communes):
    first, second = two_communes
    for n in range(30):
        join(session, f"Người {n}", first.villages["Thôn Tân Hòa"], second.villages["Ấp Bàu Sen"])
    session.add(IndicatorAlias(alias_key="cq", indicator_key="dien_thoai", alias="cq"))
    session.commit()
    statements = []
    engine = session.get_bind()
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    event.listen(engine, "before_cursor_execute", listener)
    try:
        found = ambiguities(session)
    finally:
        event.remove(engine, "before_cursor_execute", listener)
    assert len(found) == 1 and len(found[0].people) == 30
    assert len([s for s in statements if s.strip().upper() != "BEGIN"]) <= 5, statements


# ── the command line ────────────────────────────────────────────────────────────────────



def test_cli_imports_shows_and_round_trips_the_catalog(session, db_url, tmp_path):
    villages_with_smartphones(session)
    default = ok(tocds("admin", "indicators", "--show", db=db_url, cwd=tmp_path))
    assert default == shown(session)

    write(tmp_path, default + CAP_QUANG + "\n" + SMARTPHONE + "\n")
    assert ok(tocds("admin", "indicators", "indicators.csv", db=db_url, cwd=tmp_path)) == (
        "indicators.csv: 2 added (cap_quang, dien_thoai), 0 updated, 0 retired, 0 tracked again, 0 removed\n")
    # Show, edit (retire cks, leave dien_thoai out), import: what is shown is what was imported.
    edited = "".join(line + "\n" for line in retired(
        ok(tocds("admin", "indicators", "--show", db=db_url, cwd=tmp_path)), "cks").splitlines()
        if not line.startswith("dien_thoai,"))
    write(tmp_path, edited, "edited.csv")
    assert ok(tocds("admin", "indicators", "edited.csv", db=db_url, cwd=tmp_path)) == (
        "edited.csv: 0 added, 0 updated, 1 retired (cks), 0 tracked again, 1 removed (dien_thoai)\n")
    assert ok(tocds("admin", "indicators", "--show", db=db_url, cwd=tmp_path)) == edited

    # A bad cell: the row and column, nothing imported, exit 2.
    write(tmp_path, edited.replace(",households,hộ,", ",hộ gia đình,hộ,"), "bad.csv")
    error = refused(tocds("admin", "indicators", "bad.csv", db=db_url, cwd=tmp_path))
    assert "bad.csv, row 2, column denominator: 'hộ gia đình' is not a figure's name" in error
    assert error.rstrip().endswith("— nothing was imported")
    assert "nothing was imported" in refused(tocds("admin", "indicators", "missing.csv", db=db_url, cwd=tmp_path))
    assert ok(tocds("admin", "indicators", "--show", db=db_url, cwd=tmp_path)) == edited


def test_cli_shows_sets_and_resets_a_communes_list(session, db_url, tmp_path):
    commune = make_commune(session)
    write(tmp_path, retired(with_rows(session, CAP_QUANG), "tt"))
    ok(tocds("admin", "indicators", "indicators.csv", db=db_url, cwd=tmp_path))
    everything = "ho, vneid, bdhvs, cks, ssk, dvc, cap_quang"

    assert ok(tocds("admin", "indicators", "--commune", "xa dong phu", db=db_url, cwd=tmp_path)) == (
        f"{COMMUNE}: {everything} (the default: every indicator not retired)\n")
    assert ok(tocds("admin", "indicators", "--commune", COMMUNE, "vneid,bdhvs,cap_quang", db=db_url, cwd=tmp_path)) == (
        f"{COMMUNE}: vneid, bdhvs, cap_quang (its own list)\n")
    assert ok(tocds("admin", "indicators", "--commune", COMMUNE, db=db_url, cwd=tmp_path)) == (
        f"{COMMUNE}: vneid, bdhvs, cap_quang (its own list)\n")

    for args, said in [
        (("vneid,tt",), "tt is retired"),
        (("vneid,khong_co",), "unknown indicator 'khong_co'"),
        ((",",), "at least one indicator"),
        (("vneid", "--default"), "--default goes with --commune C alone"),
    ]:
        error = refused(tocds("admin", "indicators", "--commune", COMMUNE, *args, db=db_url, cwd=tmp_path))
        assert said in error, error
    assert "no commune named 'Xã Không Có'" in refused(
        tocds("admin", "indicators", "--commune", "Xã Không Có", db=db_url, cwd=tmp_path))
    assert ok(tocds("admin", "indicators", "--commune", COMMUNE, db=db_url, cwd=tmp_path)).endswith("(its own list)\n")

    assert ok(tocds("admin", "indicators", "--commune", COMMUNE, "--default", db=db_url, cwd=tmp_path)) == (
        f"{COMMUNE}: {everything} (the default: every indicator not retired)\n")
    assert not has_own_list(fresh(session), commune.unit)


def test_cli_forms_that_do_not_go_together(db_url, tmp_path):
    for args, said in [
        ((), "give FILE.csv to import the catalog, --show to write it, or --commune C"),
        (("--show", "x.csv"), "--show takes nothing else"),
        (("--show", "--commune", COMMUNE), "--show takes nothing else"),
        (("--default",), "--default goes with --commune C"),
    ]:
        assert said in refused(tocds("admin", "indicators", *args, db=db_url, cwd=tmp_path))
    help_text = ok(tocds("admin", "indicators", "--help", db=db_url, cwd=tmp_path))
    for word in ("FILE.csv", "--show", "--commune", "--default", "retired"):
        assert word in help_text
    assert "indicators" in ok(tocds("admin", "--help", db=db_url, cwd=tmp_path))


def test_each_test_starts_from_the_migrations_catalog(session):
    assert [i.key for i in indicators(session)] == DEFAULT_KEYS
    assert session.get(Indicator, "cap_quang") is None
