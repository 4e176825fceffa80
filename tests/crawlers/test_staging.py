"""Staging files between the crawler process and the loader: a job resumed after its crawler was killed in the
middle of a record neither glues the next record onto the cut one nor loses the cut one silently."""

from __future__ import annotations

import json

from policywatch.crawlers.sina.staging import CUT_REASON, StagingWriter, read_records

PAGE_URL = "https://finance.sina.com.cn/china/gncj/2021-10-10/doc-iktzscyx9453213.shtml"
WHOLE = [
    {"kind": "listing", "url": "https://finance.sina.com.cn/a/doc-iaaaaaaa1111111.shtml", "state": "new"},
    {"kind": "listing", "url": PAGE_URL, "key": "ktzscyx9453213", "state": "new"},
]


def staged(run_dir, tail: str) -> None:
    run_dir.mkdir(parents=True, exist_ok=True)
    lines = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in WHOLE)
    (run_dir / "items-sina_roll.jsonl").write_text(lines + tail, encoding="utf-8")


def test_a_resumed_writer_cuts_off_a_partial_record_and_reports_it_in_its_place(tmp_path):
    run_dir = tmp_path / "run"
    # the crawler was killed while writing a page record: the line stops in the middle of a field
    staged(run_dir, f'{{"kind": "page", "url": "{PAGE_URL}", "key": "ktzscyx9453213", "source": "roll:155:1686", "ti')
    (partial,) = [r for r in read_records(run_dir) if r.error]
    assert partial.partial and partial.line == 3

    writer = StagingWriter(run_dir, "items-sina_roll")
    writer.write({"kind": "listing", "url": "https://finance.sina.com.cn/b/doc-ibbbbbbb2222222.shtml"})
    writer.close()

    records = list(read_records(run_dir))
    assert [r.error for r in records] == [None] * 4
    assert [r.data for r in records[:2]] == WHOLE
    cut = records[2].data
    assert (cut["kind"], cut["reason"], cut["stage"]) == ("failure", CUT_REASON, "staging")
    assert (cut["url"], cut["key"]) == (PAGE_URL, "ktzscyx9453213")
    assert "items-sina_roll.jsonl line 3" in cut["message"] and "page record" in cut["message"]
    assert records[3].data["url"].endswith("doc-ibbbbbbb2222222.shtml")  # on a line of its own


def test_a_last_record_missing_only_its_newline_is_kept(tmp_path):
    run_dir = tmp_path / "run"
    staged(run_dir, json.dumps({"kind": "listing", "url": "https://finance.sina.com.cn/c/doc-icccccc3333333.shtml"}))
    writer = StagingWriter(run_dir, "items-sina_roll")
    writer.write({"kind": "listing", "url": "https://finance.sina.com.cn/d/doc-idddddd4444444.shtml"})
    writer.close()
    records = list(read_records(run_dir))
    assert [r.error for r in records] == [None] * 4
    assert [r.data["url"][-24:-6] for r in records[2:]] == ["doc-icccccc3333333", "doc-idddddd4444444"]
    assert not any(r.data.get("reason") == CUT_REASON for r in records)


def test_a_new_file_and_a_whole_file_are_left_as_they_are(tmp_path):
    run_dir = tmp_path / "run"
    staged(run_dir, "")
    before = (run_dir / "items-sina_roll.jsonl").read_bytes()
    StagingWriter(run_dir, "items-sina_roll").close()
    StagingWriter(run_dir, "items-sina_zhibo").close()
    assert (run_dir / "items-sina_roll.jsonl").read_bytes() == before
    assert (run_dir / "items-sina_zhibo.jsonl").read_bytes() == b""
