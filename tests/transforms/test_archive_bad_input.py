"""Bad archive posts: each is refused with a clear message and a reason code."""

from __future__ import annotations

import pytest
from policywatch.transforms.errors import CharsetError, InputError, ParseError
from policywatch.transforms.sina.article import parse_archive_post

from tests.conftest import sample_path


def outline() -> bytes:
    return sample_path("00_").read_bytes()


def reason_of(data: bytes) -> str:
    with pytest.raises(InputError) as info:
        parse_archive_post(data)
    assert str(info.value)  # a message a person can read
    return info.value.reason


def test_truncated_post():
    raw = outline()
    assert reason_of(raw[: len(raw) * 2 // 3]) == "truncated"


def test_truncated_inside_a_multibyte_character():
    raw = outline()
    cut = raw.index("智慧农业".encode()) + 2
    assert reason_of(raw[:cut]) == "truncated"


def test_post_without_front_matter():
    raw = outline()
    body = raw.split(b"---\n", 2)[2]
    assert reason_of(body) == "no_front_matter"


def test_front_matter_that_is_not_yaml():
    assert reason_of(b"---\ntitle: 'unclosed\n: : :\n---\n<div><p>text</p></div>\n") == "bad_front_matter"


def test_empty_body():
    assert reason_of(b"---\ntitle: t\ndate: Sun, 10 Oct 2021 12:58:34 GMT\n---\n\n") == "empty_body"


def test_body_with_no_text():
    assert reason_of(b"---\ntitle: t\n---\n<div><style>p{}</style><!-- c --></div>\n") == "empty_body"


def test_binary_garbage():
    import random

    rng = random.Random(11)
    with pytest.raises(CharsetError) as info:
        parse_archive_post(bytes(rng.randrange(256) for _ in range(4000)))
    assert info.value.reason == "binary"


def test_gbk_post_is_decoded():
    text = outline().decode("utf-8")
    gbk = text.encode("gb18030")
    assert parse_archive_post(gbk).title == parse_archive_post(outline()).title


def test_missing_date_is_a_warning_not_a_failure():
    a = parse_archive_post("---\ntitle: 标题\n---\n<div><p>　　正文一段。</p></div>\n".encode())
    assert a.published_at is None and a.warnings == ("the post has no usable date",)


def test_missing_title_uses_the_original_title():
    a = parse_archive_post(
        "---\ndate: Sun, 10 Oct 2021 12:58:34 GMT\n---\n<div><p>原标题：真正的标题</p><p>正文。</p></div>\n".encode()
    )
    assert a.title == "真正的标题"


def test_no_title_anywhere():
    with pytest.raises(ParseError) as info:
        parse_archive_post(b"---\ncomments: false\n---\n<div><p>text</p></div>\n")
    assert info.value.reason == "no_title"


def test_a_date_without_a_zone_is_china_time_with_a_warning():
    from datetime import datetime

    from policywatch.transforms.models import CHINA_TZ

    a = parse_archive_post("---\ntitle: 标题\ndate: 2021-10-10 20:58:34\n---\n<div><p>正文。</p></div>\n".encode())
    assert a.published_at == datetime(2021, 10, 10, 20, 58, 34, tzinfo=CHINA_TZ)
    assert a.warnings == ("the post's date has no time zone: read as China time",)
