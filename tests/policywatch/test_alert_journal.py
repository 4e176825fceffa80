"""The delivery journal on disk: what a reader makes of torn and interrupted files."""

from __future__ import annotations

import json

import pytest

from policywatch.alerts.journal import open_journal, read_journal

KEY = ("loerwde8096357", "standardization", "team-webhook")
OTHER = ("loerwde8096357", "standardization", "team-mail")


def test_a_last_line_torn_inside_a_chinese_character_is_ignored_and_the_rest_is_read(tmp_path):
    with open_journal(tmp_path, "alert", {"run_id": "r1"}) as journal:
        journal.intent(KEY, "中央发文：国家标准化发展纲要")
        journal.outcome(KEY, True, None)
        path = journal.path
    closed = tmp_path / path.name.replace(".open.jsonl", ".jsonl")
    torn = json.dumps({"kind": "intent", "key": list(OTHER), "title": "国家标准化"}, ensure_ascii=False).encode()
    cut = torn[: torn.index("标".encode()) + 1]  # one byte of a three-byte character
    with closed.open("ab") as handle:
        handle.write(cut)

    header, entries = read_journal(closed)
    assert header == {"run_id": "r1"}
    assert [(e.key, e.title, e.ok) for e in entries] == [(KEY, "中央发文：国家标准化发展纲要", True)]


def test_a_journal_is_closed_when_the_sending_fails(tmp_path):
    with pytest.raises(RuntimeError), open_journal(tmp_path, "alert", {"run_id": "r2"}) as journal:
        journal.intent(KEY, "标题")
        raise RuntimeError("the sender failed")
    assert [p.name.endswith(".open.jsonl") for p in tmp_path.iterdir()] == [False]
    _, entries = read_journal(next(tmp_path.iterdir()))
    assert [(e.key, e.ok) for e in entries] == [(KEY, None)]  # attempted, outcome unknown
