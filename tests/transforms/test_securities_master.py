"""Point-in-time names: a 2021 article is matched against 2021 names."""

from __future__ import annotations

from datetime import date

from policywatch.transforms.linking.securities import IndexRow, NameSpan, Snapshot, build_master, normalise_name

OLD = Snapshot(
    date(2023, 10, 1),
    "old",
    (
        ("300378", "鼎捷软件", None, date(2014, 1, 27)),
        ("601989", "中国重工", None, date(2009, 12, 16)),
        ("838275", "驱动力", None, date(2021, 1, 25)),
        ("000002", "万  科Ａ", None, date(1991, 1, 29)),
    ),
)
NEW = Snapshot(
    date(2026, 10, 22),
    "new",
    (
        ("300378", "鼎捷数智", "SZ", date(2014, 1, 27)),
        ("000002", "万科Ａ", "SZ", date(1991, 1, 29)),
        ("688692", "达梦数据", "SH", date(2024, 6, 12)),
        ("920275", "驱动力", "BJ", None),
    ),
)


def master():
    return build_master([NEW, OLD], [IndexRow("sh000300", "沪深300", ("沪深三百",))], {"838275": "920275"})


def test_names_are_normalised():
    assert normalise_name("万  科Ａ") == "万科A"
    assert normalise_name("XD贵州茅") == "贵州茅"
    assert normalise_name("*ST左江") == "*ST左江"


def test_a_rename_between_snapshots():
    m = master()
    record = m.get("sz300378")
    assert record.names == (
        NameSpan("鼎捷软件", None, date(2026, 10, 22)),
        NameSpan("鼎捷数智", date(2023, 10, 1), None),
    )
    assert record.name_on(date(2021, 6, 1)) == "鼎捷软件"
    assert record.name_on(date(2026, 11, 1)) == "鼎捷数智"
    assert m.codes_named("鼎捷软件", date(2021, 6, 1)) == ["sz300378"]
    assert m.codes_named("鼎捷数智", date(2021, 6, 1)) == []
    assert record.former_names == ("鼎捷软件",)


def test_a_company_gone_from_the_newest_list():
    m = master()
    assert m.codes_named("中国重工", date(2021, 10, 10)) == ["sh601989"]
    assert m.codes_named("中国重工", date(2026, 11, 1)) == []
    assert m.get("sh601989").trading_on(date(2021, 10, 10))
    assert not m.get("sh601989").trading_on(date(2026, 11, 1))


def test_not_listed_yet():
    m = master()
    assert m.codes_named("达梦数据", date(2021, 10, 10)) == []
    assert m.codes_named("达梦数据", date(2025, 1, 2)) == ["sh688692"]


def test_beijing_code_migration():
    m = master()
    old = m.get("bj838275")
    assert old.successor_code == "bj920275" and old.yahoo_symbol is None and old.ticker == "838275.BJ"
    assert m.codes_named("驱动力", date(2022, 1, 4)) == ["bj838275"]
    assert m.codes_named("驱动力", date(2026, 11, 1)) == ["bj920275"]
    # between the two lists the move's day is unknown, but it is one company: one code on any day, the new
    # one from the old one's last sighting (2023-10-01) on
    assert m.codes_named("驱动力", date(2024, 6, 1)) == ["bj920275"]
    assert m.codes_named("驱动力", date(2023, 9, 30)) == ["bj838275"]


def test_indices_and_aliases():
    m = master()
    index = m.get("sh000300")
    assert index.kind == "index" and index.name_on(date(2021, 1, 1)) == "沪深300"
    assert m.codes_named("沪深三百") == ["sh000300"]
    assert m.get("sz000002").name_on(date(2021, 1, 1)) == "万科A"


def test_a_day_marker_is_not_a_rename():
    # the 2026 list shows 601398 as "XD工商银" on its ex-dividend day: the bank is still 工商银行
    old = Snapshot(date(2023, 10, 1), "old", (("601398", "工商银行", None, date(2006, 10, 27)),))
    marked = Snapshot(date(2026, 10, 22), "new", (("601398", "XD工商银", "SH", date(2006, 10, 27)),))
    m = build_master([old, marked], [], {})
    assert m.get("sh601398").names == (NameSpan("工商银行", None, None),)
    assert m.codes_named("工商银行", date(2026, 11, 1)) == ["sh601398"]
    assert m.codes_named("工商银") == []


def test_a_name_first_seen_with_a_day_marker_takes_its_full_name_later():
    # listed after the older list, first seen as "XD泰金新", then as 泰金新材: one name, never 泰金新
    marked = Snapshot(date(2026, 10, 22), "new", (("688813", "XD泰金新", "SH", date(2026, 3, 31)),))
    later = Snapshot(date(2027, 1, 5), "refresh", (("688813", "泰金新材", "SH", date(2026, 3, 31)),))
    m = build_master([marked, later], [], {})
    assert m.get("sh688813").names == (NameSpan("泰金新材", None, None),)


def test_the_bundled_lists_keep_full_names_through_day_markers(linking_context):
    master = linking_context.master
    # 601398 and 601288 are shown as XD工商银 and XD农业银 in the 2026-10-22 list
    assert master.get("sh601398").name_on(date(2026, 11, 1)) == "工商银行"
    assert master.get("sh601288").current_name == "农业银行"
    assert master.codes_named("工商银行", date(2026, 11, 1)) == ["sh601398"]


def test_one_index_under_two_codes_is_named_by_one():
    # CSI 300 is published as sh000300 and sz399300; Sina links both, the name leads to one
    m = build_master(
        [], [IndexRow("sh000300", "沪深300", ()), IndexRow("sz399300", "沪深300", (), same_as="sh000300")], {}
    )
    assert m.codes_named("沪深300") == ["sh000300"]
    assert m.get("sz399300").kind == "index" and m.get("sz399300").same_as == "sh000300"


def test_a_company_that_moved_board_keeps_one_code_per_day():
    # 泰祥股份 listed in Beijing (833874, 2020-07-27) and moved to ChiNext (301192, listed 2022-08-11);
    # the older list still carries both codes, the newer one only 301192
    old = Snapshot(
        date(2023, 10, 1),
        "old",
        (("833874", "泰祥股份", None, date(2020, 7, 27)), ("301192", "泰祥股份", None, date(2022, 8, 11))),
    )
    new = Snapshot(date(2026, 10, 22), "new", (("301192", "泰祥股份", "SZ", date(2022, 8, 11)),))
    m = build_master([old, new], [], {})
    assert m.codes_named("泰祥股份", date(2021, 6, 1)) == ["bj833874"]
    assert m.codes_named("泰祥股份", date(2023, 1, 1)) == ["sz301192"]
    assert m.get("bj833874").successor_code == "sz301192"


def test_bundled_beijing_codes_lead_to_one_company(linking_context):
    master = linking_context.master
    assert master.codes_named("驱动力", date(2024, 6, 1)) == ["bj920275"]
    # the 2026 list writes "建邦科 技" with a space: still the successor of 837242
    assert master.get("bj837242").successor_code == "bj920242"
    assert master.codes_named("建邦科技", date(2024, 6, 1)) == ["bj920242"]
    assert master.codes_named("沪深300") == ["sh000300"]
