"""Day-0 alignment on the XSHG calendar. Expected sessions are from the exchange's published 2021 schedule
(National Day holiday 1–7 October, trading again on Friday 8 October; the reference price file has no
session in between)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import numpy as np
import pytest
from policywatch.transforms.errors import ConfigError, InputError
from policywatch.transforms.models import CHINA_TZ
from policywatch.transforms.trading_calendar import Day0Rule, calendar_horizon, exchange_sessions

CAL = exchange_sessions("XSHG")


def day0(when: datetime, rule: Day0Rule | None = None) -> str:
    rule = rule or Day0Rule()
    return str(CAL.sessions[CAL.align_day0([when], rule)[0]])


@pytest.mark.parametrize(
    ("published", "expected"),
    [
        (datetime(2021, 10, 8, 14, 59, tzinfo=CHINA_TZ), "2021-10-08"),  # before the close: same session
        (datetime(2021, 10, 8, 15, 0, tzinfo=CHINA_TZ), "2021-10-11"),  # at the close: next session
        (datetime(2021, 10, 8, 21, 30, tzinfo=CHINA_TZ), "2021-10-11"),  # after the close, before a weekend
        (datetime(2021, 10, 10, 20, 58, 34, tzinfo=CHINA_TZ), "2021-10-11"),  # Sunday (the outline)
        (datetime(2021, 10, 1, 10, 0, tzinfo=CHINA_TZ), "2021-10-08"),  # National Day holiday
        (datetime(2021, 9, 30, 16, 0, tzinfo=CHINA_TZ), "2021-10-08"),  # after the last close before it
        (datetime(2021, 10, 10, 12, 58, 34, tzinfo=UTC), "2021-10-11"),  # archives give GMT
        (datetime(2021, 10, 11, 6, 59, tzinfo=UTC), "2021-10-11"),  # 14:59 China time
    ],
)
def test_day0_is_the_first_session_whose_close_comes_after_publication(published, expected):
    assert day0(published) == expected


def test_a_configurable_cutoff():
    morning = datetime(2021, 10, 11, 10, 0, tzinfo=CHINA_TZ)
    assert day0(morning) == "2021-10-11"
    assert day0(morning, Day0Rule("09:30")) == "2021-10-12"  # only pre-open news counts for the same day
    with pytest.raises(ConfigError):
        Day0Rule("3pm")


def test_naive_times_are_refused():
    with pytest.raises(InputError, match="no time zone"):
        CAL.align_day0([datetime(2021, 10, 11, 10, 0)])


def test_dates_and_exact_sessions():
    assert str(CAL.sessions[CAL.first_on_or_after([date(2021, 10, 2)])[0]]) == "2021-10-08"
    assert CAL.index_of([date(2021, 10, 2), date(2021, 10, 8)])[0] == -1
    window = CAL.between(date(2021, 9, 28), date(2021, 10, 12))
    assert [str(d) for d in window.sessions] == [
        "2021-09-28", "2021-09-29", "2021-09-30", "2021-10-08", "2021-10-11", "2021-10-12",
    ]  # fmt: skip
    assert CAL.align_instants_ns(np.array([np.iinfo(np.int64).max]))[0] == -1  # past the calendar


def test_the_calendar_horizon_and_its_warning():
    last = CAL.sessions[-1].astype(object)  # exchange_calendars 4.13: XSHG to 2026-12-31
    far = calendar_horizon("XSHG", today=last - timedelta(days=200))
    assert far.last_session == last and far.days_left == 200 and not far.near and far.message() is None
    near = calendar_horizon("XSHG", today=last - timedelta(days=37))
    assert near.near and "in 37 days" in near.message() and "beyond_calendar_horizon" in near.message()
    past = calendar_horizon("XSHG", today=last + timedelta(days=10))
    assert past.days_left == -10 and "10 days ago" in past.message() and "exchange-calendars" in past.message()
    # a publication after the last session has no day 0 (the events step skips it as beyond_calendar_horizon)
    after = datetime.combine(last + timedelta(days=3), datetime.min.time(), CHINA_TZ)
    assert CAL.align_day0([after]).tolist() == [-1]
