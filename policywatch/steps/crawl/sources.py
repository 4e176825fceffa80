"""Which URLs one crawl reads, when the run names some of its sources itself.

A run that points one source somewhere (``--roll-url http://127.0.0.1:8765/api/roll/get``: a local replay, a
mirror) must not send the others to the live site behind the user's back. Each source the run does not name
follows the ones it does name:

- the roll API and the 7x24 feed, whose paths a replay serves as Sina does, are moved onto the named host
  (same path and query);
- configured RSS feeds on another host are left out of the run (their paths are the feed's own, nothing to move).

Each move and each feed left out is a note the caller shows. A source already on a named host stays as it is,
and a run that names no source reads the configured ones.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

__all__ = ["SourcePlan", "plan_sources"]


@dataclass(frozen=True, slots=True)
class SourcePlan:
    roll_url: str
    zhibo_url: str  #: "" when the 7x24 feed is off
    rss_feeds: tuple[str, ...]
    notes: tuple[str, ...]  #: what was moved or left out, and why


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


def _moved(url: str, origin: str) -> str:
    target = urlsplit(origin)
    return urlunsplit(urlsplit(url)._replace(scheme=target.scheme, netloc=target.netloc))


def plan_sources(
    *,
    configured_roll: str,
    configured_zhibo: str,
    configured_rss: Sequence[str],
    roll_url: str | None = None,
    zhibo_url: str | None = None,
    rss_feeds: Sequence[str] | None = None,
) -> SourcePlan:
    """The run's sources: the given ones as given (``None``: not given; ``zhibo_url=""``: the feed off), the
    others from the configuration, moved onto a given host or left out, with a note for each."""
    named = [("--roll-url", roll_url), ("--zhibo-url", zhibo_url)] + [("--rss-url", url) for url in rss_feeds or ()]
    given = [(flag, url) for flag, url in named if url]
    if not given:
        return SourcePlan(
            roll_url if roll_url is not None else configured_roll,
            zhibo_url if zhibo_url is not None else configured_zhibo,
            tuple(rss_feeds if rss_feeds is not None else configured_rss),
            (),
        )
    origins = {_origin(url) for _, url in given}
    flag, first = given[0]
    home = _origin(first)
    notes: list[str] = []

    def follow(what: str, configured: str, hint: str) -> str:
        if not configured or _origin(configured) in origins:
            return configured
        moved = _moved(configured, home)
        notes.append(f"{what}: {moved} (the configured {configured} moved to the host of {flag}; {hint})")
        return moved

    roll = roll_url or follow("roll API", configured_roll, "--roll-url to choose")
    zhibo = (
        zhibo_url
        if zhibo_url is not None
        else follow("7x24 feed", configured_zhibo, "--zhibo-url to choose, --zhibo-url '' for none")
    )
    if rss_feeds is not None:
        rss = tuple(rss_feeds)
    else:
        rss = tuple(url for url in configured_rss if _origin(url) in origins)
        left_out = [url for url in configured_rss if _origin(url) not in origins]
        if left_out:
            notes.append(
                f"RSS: {len(left_out)} configured feed(s) on another host than {flag} left out of this run"
                f" ({', '.join(left_out)}); --rss-url to read one"
            )
    return SourcePlan(roll, zhibo, rss, tuple(notes))
