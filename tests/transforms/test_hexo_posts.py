"""Front-matter dates and tags of archive posts in every form the archives hold."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from policywatch.transforms.models import CHINA_TZ
from policywatch.transforms.sina.article import parse_archive_post

NO_ZONE = "the post's date has no time zone: read as China time"
NO_TIME = "the post's date has no time: read as 00:00 China time"


def post(front_matter: str) -> bytes:
    return f"---\ntitle: 标题\n{front_matter}\n---\n<div><p>　　正文一段。</p></div>\n".encode()


@pytest.mark.parametrize(
    ("line", "expected", "warnings"),
    [
        # RSSHub's own form: Sina's intime in GMT, 20:58:34 in Beijing
        ("date: Sun, 10 Oct 2021 12:58:34 GMT", datetime(2021, 10, 10, 12, 58, 34, tzinfo=UTC), ()),
        # RFC 2822 "-0000": UTC, local zone unknown; not China time
        ("date: Sun, 10 Oct 2021 12:58:34 -0000", datetime(2021, 10, 10, 12, 58, 34, tzinfo=UTC), ()),
        ("date: Sun, 10 Oct 2021 20:58:34 +0800", datetime(2021, 10, 10, 12, 58, 34, tzinfo=UTC), ()),
        ("date: '2021-10-10T12:58:34Z'", datetime(2021, 10, 10, 12, 58, 34, tzinfo=UTC), ()),
        ('date: "2021-10-10T20:58:34+08:00"', datetime(2021, 10, 10, 12, 58, 34, tzinfo=UTC), ()),
        ("date: 2021-10-10T12:58:34Z", datetime(2021, 10, 10, 12, 58, 34, tzinfo=UTC), ()),  # YAML's own timestamp
        # a date alone: midnight in China, so the post keeps its calendar day there
        ("date: 2021-10-10", datetime(2021, 10, 10, 0, 0, tzinfo=CHINA_TZ), (NO_TIME,)),
        ("date: '2021-10-10'", datetime(2021, 10, 10, 0, 0, tzinfo=CHINA_TZ), (NO_TIME,)),
        ("date: Sun, 10 Oct 2021 20:58:34", datetime(2021, 10, 10, 20, 58, 34, tzinfo=CHINA_TZ), (NO_ZONE,)),
        ("date: '2021-10-10 20:58:34'", datetime(2021, 10, 10, 20, 58, 34, tzinfo=CHINA_TZ), (NO_ZONE,)),
    ],
)
def test_post_dates(line, expected, warnings):
    a = parse_archive_post(post(line))
    assert a.published_at == expected
    assert a.warnings == warnings


def test_a_date_alone_lands_on_its_own_day_in_china():
    a = parse_archive_post(post("date: 2021-10-10"))
    assert a.published_at.astimezone(CHINA_TZ).date().isoformat() == "2021-10-10"


def test_an_unreadable_date_is_a_warning():
    a = parse_archive_post(post("date: next Tuesday"))
    assert a.published_at is None and a.warnings == ("the post has no usable date",)


@pytest.mark.parametrize(
    ("line", "shown"),
    [
        ("date: 2021-02-30", "2021-02-30"),  # YAML's own date: its loader cannot make one of it
        ("date: '2021-02-30'", "2021-02-30"),
        ("date: 2021-02-30 20:58:34", "2021-02-30 20:58:34"),
        ("date: '2021-10-10 25:58:34'", "2021-10-10 25:58:34"),
        ("date: Tue, 30 Feb 2021 12:58:34 GMT", "Tue, 30 Feb 2021 12:58:34 GMT"),
    ],
)
def test_an_impossible_date_is_a_warning_with_its_reason(line, shown):
    a = parse_archive_post(post(line))
    assert a.published_at is None
    assert a.warnings == (f"the post has no usable date: '{shown}' names no real day or time",)
    assert a.title == "标题" and a.paragraphs == ("正文一段。",)


@pytest.mark.parametrize(
    ("line", "keywords"),
    [
        ("tags: 政策", ("政策",)),
        ("tags: 政策, 财政", ("政策", "财政")),
        ("tags:\n - 政策\n - 财政\n - 政策", ("政策", "财政")),
        ("tags: [政策, 国务院]", ("政策", "国务院")),
        ("tags:", ()),
        ("tags: 2021", ("2021",)),
    ],
)
def test_post_tags(line, keywords):
    assert parse_archive_post(post(line)).keywords == keywords
