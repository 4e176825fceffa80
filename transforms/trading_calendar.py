"""Trading days from the exchange's own calendar (``exchange_calendars``, XSHG), and event-day alignment.

Day 0 of an event is the first session whose cutoff comes *after* the publication instant. The default
cutoff is the session's close as the calendar records it (15:00 China time), so:

- published before 15:00 on a trading day → that session;
- published at or after 15:00, or on a weekend or holiday → the next session.

A different cutoff (``"09:30"``: only news before the open counts for the same day) is a configuration
choice. Publication instants must be timezone-aware: a naive datetime is an error, never a guess.
Relative days (estimation and event windows) are positions on the session list, never calendar days,
so the whole estimation window moves with day 0.

The calendar knows sessions only as far as its package records holidays (exchange_calendars 4.13: XSHG to
2026-12-31). :func:`calendar_horizon` says how far that is from today, so schedulers can warn before
publications start falling beyond it (``beyond_calendar_horizon``) and event windows get cut at it.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from functools import lru_cache
from zoneinfo import ZoneInfo

import numpy as np
from policywatch.transforms.errors import ConfigError, InputError

__all__ = [
    "DEFAULT_CALENDAR",
    "HORIZON_WARNING_DAYS",
    "CalendarHorizon",
    "Day0Rule",
    "TradingSessions",
    "calendar_horizon",
    "exchange_sessions",
]

DEFAULT_CALENDAR = "XSHG"
#: warn this many calendar days before the calendar's last known session: an event window of +10 sessions
#: reaches two weeks ahead, and the exchange publishes the next year's holidays only in December
HORIZON_WARNING_DAYS = 60
_HHMM = re.compile(r"^(?P<h>[01]\d|2[0-3]):(?P<m>[0-5]\d)$")


@dataclass(frozen=True, slots=True)
class Day0Rule:
    """When news stops counting for a session: ``"close"`` (the calendar's close) or ``"HH:MM"`` local time."""

    cutoff: str = "close"

    def __post_init__(self) -> None:
        if self.cutoff != "close" and not _HHMM.match(self.cutoff):
            raise ConfigError(f"day-0 cutoff must be 'close' or 'HH:MM' (local exchange time), got {self.cutoff!r}")

    def describe(self, tz: str) -> str:
        if self.cutoff == "close":
            return f"first session whose close ({tz}) is after publication"
        return f"first session whose {self.cutoff} ({tz}) is after publication"


@dataclass(frozen=True, slots=True)
class TradingSessions:
    """The sessions of one exchange calendar as numpy arrays (sorted, unique)."""

    name: str
    tz: str
    sessions: np.ndarray  #: datetime64[D]
    closes_ns: np.ndarray  #: int64 nanoseconds since the epoch (UTC) of each session's close

    def __len__(self) -> int:
        return len(self.sessions)

    def cutoffs_ns(self, rule: Day0Rule) -> np.ndarray:
        if rule.cutoff == "close":
            return self.closes_ns
        hh, mm = (int(part) for part in rule.cutoff.split(":"))
        zone = ZoneInfo(self.tz)
        # exchange-local wall time → UTC per session (no DST in China, but the zone decides, not us)
        return np.array(
            [
                int(datetime.combine(d, time(hh, mm), zone).timestamp() * 1_000_000_000)
                for d in self.sessions.astype(object)
            ],
            dtype=np.int64,
        )

    def align_day0(self, published: Sequence[datetime], rule: Day0Rule | None = None) -> np.ndarray:
        """Index of day 0 in ``sessions`` for each publication instant; -1 when it falls past the last session.

        Raises InputError for a naive datetime: a publication time without a zone cannot be aligned.
        """
        instants = np.empty(len(published), dtype=np.int64)
        for i, when in enumerate(published):
            if when.tzinfo is None or when.utcoffset() is None:
                raise InputError(f"publication time {when.isoformat()} has no time zone", reason="naive_datetime")
            instants[i] = _epoch_ns(when)
        return self.align_instants_ns(instants, rule)

    def align_instants_ns(self, instants_ns: np.ndarray, rule: Day0Rule | None = None) -> np.ndarray:
        """Vectorised core of :meth:`align_day0` on UTC nanoseconds."""
        cutoffs = self.cutoffs_ns(rule or Day0Rule())
        # first cutoff strictly after the instant: published exactly at 15:00 goes to the next session
        index = np.searchsorted(cutoffs, np.asarray(instants_ns, dtype=np.int64), side="right")
        index = index.astype(np.int64)
        index[index >= len(cutoffs)] = -1
        return index

    def first_on_or_after(self, dates: Sequence[date] | np.ndarray) -> np.ndarray:
        """Index of the first session on or after each date (for date-only events); -1 past the end."""
        days = np.asarray(dates, dtype="datetime64[D]")
        index = np.searchsorted(self.sessions, days, side="left").astype(np.int64)
        index[index >= len(self.sessions)] = -1
        return index

    def index_of(self, dates: Sequence[date] | np.ndarray) -> np.ndarray:
        """Exact session index of each date; -1 for a date that is not a session."""
        days = np.asarray(dates, dtype="datetime64[D]")
        index = np.searchsorted(self.sessions, days, side="left")
        found = index < len(self.sessions)
        found[found] = self.sessions[index[found]] == days[found]
        return np.where(found, index, -1).astype(np.int64)

    def between(self, start: date, end: date) -> TradingSessions:
        """The sessions from ``start`` to ``end`` inclusive."""
        lo = np.searchsorted(self.sessions, np.datetime64(start, "D"), side="left")
        hi = np.searchsorted(self.sessions, np.datetime64(end, "D"), side="right")
        return TradingSessions(self.name, self.tz, self.sessions[lo:hi], self.closes_ns[lo:hi])


def _epoch_ns(when: datetime) -> int:
    seconds = when.timestamp()
    return round(seconds * 1_000_000) * 1000


@lru_cache(maxsize=4)
def exchange_sessions(name: str = DEFAULT_CALENDAR) -> TradingSessions:
    """Every session the calendar knows (XSHG: 1991 until the last year its holidays are recorded)."""
    import exchange_calendars as xcals  # heavy import: only when a calendar is needed
    import pandas as pd

    with warnings.catch_warnings():
        # exchange_calendars 4.13 reads tz-aware Series.values, which pandas 3.1 deprecates: theirs to fix
        warnings.filterwarnings("ignore", message="Series.values returning an ndarray", module="pandas")
        try:
            factory = type(xcals.get_calendar(name))
        except xcals.errors.InvalidCalendarName:
            raise ConfigError(f"unknown exchange calendar {name!r}") from None
        start = max(factory.bound_min(), pd.Timestamp("1991-01-02")).strftime("%Y-%m-%d")
        calendar = xcals.get_calendar(name, start=start, end=factory.bound_max().strftime("%Y-%m-%d"))
    sessions = calendar.sessions.to_numpy().astype("datetime64[D]")
    closes = calendar.closes.dt.tz_convert(None).to_numpy().astype("datetime64[ns]").astype(np.int64)
    return TradingSessions(name, str(calendar.tz), sessions, closes)


@dataclass(frozen=True, slots=True)
class CalendarHorizon:
    """How far the calendar's sessions reach beyond ``today``."""

    calendar: str
    last_session: date
    today: date
    warn_days: int = HORIZON_WARNING_DAYS

    @property
    def days_left(self) -> int:
        """Calendar days from today to the last known session (negative once it has passed)."""
        return (self.last_session - self.today).days

    @property
    def near(self) -> bool:
        return self.days_left <= self.warn_days

    def message(self) -> str | None:
        """A warning for the user when the horizon is near or past, else None."""
        if not self.near:
            return None
        fix = "upgrade exchange-calendars (a release that records the next year's holidays)"
        if self.days_left < 0:
            return (
                f"the {self.calendar} calendar ends on {self.last_session}, {-self.days_left} days ago: articles "
                f"published since are skipped (beyond_calendar_horizon) and event windows stop there; {fix}"
            )
        return (
            f"the {self.calendar} calendar ends on {self.last_session}, in {self.days_left} days: later "
            f"publications will be skipped (beyond_calendar_horizon) and event windows cut there; {fix}"
        )


def calendar_horizon(
    name: str = DEFAULT_CALENDAR, *, today: date | None = None, warn_days: int = HORIZON_WARNING_DAYS
) -> CalendarHorizon:
    """The calendar's last known session and how far it is from ``today`` (default: today where the
    exchange is). Call it from anything that runs on a schedule (``policywatch events``/``study`` do)."""
    sessions = exchange_sessions(name)
    if today is None:
        today = datetime.now(ZoneInfo(sessions.tz)).date()
    return CalendarHorizon(name, sessions.sessions[-1].astype(object), today, warn_days)
