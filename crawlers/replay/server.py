"""The replay's HTTP server: a threaded server answering like Sina, with a log of every request it got.

    handle = start_replay(Path("policywatch/data/samples/sina"), fault_rate=0.3, seed=7)
    handle.roll_url, handle.zhibo_url, handle.rss_url   # point a crawl here
    handle.article_requests()                           # Counter of article paths asked for
    handle.stop()

Article URLs point at the replay itself (``http://127.0.0.1:PORT/china/gncj/…/doc-i….shtml``); some listed
entries point elsewhere on purpose: ``http://localhost:PORT/tech/…`` (another host: a crawler must not fetch
it) and ``/zt_d/…`` topic pages (not articles).
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from policywatch.crawlers.replay.catalog import ReplayArticle, load_catalog
from policywatch.crawlers.replay.faults import FAULT_KINDS, FaultPlan
from policywatch.crawlers.replay.render import (
    KINSOKU_PAGE,
    legacy_page,
    modern_page,
    redesigned_page,
    roll_answer,
    rss_feed,
    zhibo_answer,
)
from policywatch.crawlers.replay.site import (
    ROLL_PATH,
    RSS_PATH,
    ZHIBO_PATH,
    ZHIBO_QUERY,
    ReplaySite,
    RequestRecord,
    number_of,
    page_of,
)

__all__ = ["ReplayHandle", "RequestRecord", "start_replay"]


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "nginx"
    sys_version = ""
    site: ReplaySite  # set on the subclass made per server
    _index: int  #: this request's entry in the log

    def log_message(self, format: str, *args: object) -> None:
        return  # the request log is kept in memory instead

    def do_GET(self) -> None:
        parts = urlsplit(self.path)
        query = {k: v[-1] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
        route = self._classify(parts.path)
        # logged on arrival (a slow answer counts when it was asked for), completed just before it is answered
        record = RequestRecord(self.path, route, 0, None, self.headers.get("Referer"), self.headers.get("User-Agent"))
        with self.site.lock:
            self._index = len(self.site.log)
            self.site.log.append(record)
        self._answer(route, parts.path, query)

    def _classify(self, path: str) -> str:
        if path == "/robots.txt":
            return "robots"
        if path == ROLL_PATH:
            return "roll"
        if path == ZHIBO_PATH:
            return "zhibo"
        if path.startswith("/rss/"):
            return "rss"
        if path in self.site.by_path or path in self.site.fail_paths or path in self.site.redirects:
            return "article"
        return "other"

    def _answer(self, route: str, path: str, query: dict[str, str]) -> int:
        site = self.site
        if route == "robots":
            lines = ["User-agent: *", *(f"Disallow: {p}" for p in site.robots_disallow), "Allow: /", ""]
            return self._send(200, "\n".join(lines).encode(), "text/plain")
        if route == "other":
            return self._send(404, b"<html><body>404 Not Found</body></html>", "text/html")
        render = {
            "roll": lambda: self._roll(query),
            "zhibo": lambda: self._zhibo(query),
            "rss": self._rss,
            "article": lambda: self._article(path),
        }[route]
        if route != "rss" and not self.headers.get("Referer"):
            return self._send(403, b"<html><body>403 Forbidden</body></html>", "text/html", "no_referer")
        if path in site.redirects:
            return self._redirect(site.redirects[path])
        if path in site.fail_paths:
            status = site.fail_paths[path]
            return self._send(status, f"<html><body>{status}</body></html>".encode(), "text/html", "permanent")
        if route == "zhibo":
            with site.lock:
                broken = site.zhibo_broken.get(page_of(query))
            if isinstance(broken, int):
                body = f"<html><body>{broken}</body></html>".encode()
                return self._send(broken, body, "text/html", "permanent")
        fault = site.faults.next_fault(self.path)
        if fault is not None:
            return self._fault(fault, render)
        body, content_type = render()
        return self._send(200, body, content_type)

    def _fault(self, fault: str, render) -> int:
        if fault.startswith("http_"):
            status = int(fault[5:])
            return self._send(status, f"<html><body>{status}</body></html>".encode(), "text/html", fault)
        if fault == "rate_limit_456":
            return self._send(456, KINSOKU_PAGE, "text/html", fault)
        if fault == "kinsoku_200":
            return self._send(200, KINSOKU_PAGE, "text/html", fault)
        body, content_type = render()
        if fault == "slow":
            self._log(0, fault)  # said before the wait: a crawler that gave up leaves it unanswered
            time.sleep(self.site.slow_s)
            return self._send(200, body, content_type, fault)
        # truncated: announce the whole length, send half, hang up
        self._log(200, fault)
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self._write(body[: len(body) // 2])
        self.close_connection = True
        return 200

    def _redirect(self, location: str) -> int:
        self._log(302, "redirect")
        self.send_response(302)
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.end_headers()
        return 302

    def _log(self, status: int, fault: str | None) -> None:
        """Complete this request's log entry; before the answer goes out, so whoever got it finds it logged."""
        with self.site.lock:
            self.site.log[self._index] = replace(self.site.log[self._index], status=status, fault=fault)

    def _send(self, status: int, body: bytes, content_type: str, fault: str | None = None) -> int:
        self._log(status, fault)
        try:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True
            return status
        self._write(body)
        return status

    def _write(self, data: bytes) -> None:
        try:
            self.wfile.write(data)
            self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True  # the crawler gave up waiting: as on the real site

    def _roll(self, query: dict[str, str]) -> tuple[bytes, str]:
        try:
            pageid, lid = int(query.get("pageid", "0")), int(query.get("lid", "0"))
            num = max(1, min(50, int(query.get("num") or 20)))
            page = max(1, int(query.get("page") or 1))
        except ValueError:
            return b'{"result":{"status":{"code":-1,"msg":"bad parameter"},"data":[]}}', "application/json"
        entries = self.site.listings.get((pageid, lid), [])
        start = (page - 1) * num
        # with faults on, Sina's shifting pages: the last item of a page comes again at the top of the next
        if self.site.faults.rate > 0 and page > 1 and start < len(entries):
            start -= 1
        items = entries[start : page * num]
        body = roll_answer(items, lid=lid, total=len(entries), page=page, num=num, callback=query.get("callback"))
        return body, "application/javascript; charset=utf-8" if query.get("callback") else "application/json"

    def _zhibo(self, query: dict[str, str]) -> tuple[bytes, str]:
        page, size = page_of(query), number_of(query, "page_size", 20, most=100)
        with self.site.lock:
            published = self.site.zhibo[self.site.zhibo_hidden :]
            broken = self.site.zhibo_broken.get(page)
        items = published[(page - 1) * size : page * size]
        body = zhibo_answer(items, page=page, page_size=size, total=len(published))
        if broken == "malformed":  # an answer cut short upstream, served whole: 200, but not JSON
            return body[: len(body) // 2], "application/json"
        return body, "application/json"

    def _rss(self) -> tuple[bytes, str]:
        site = self.site
        # every fourth item carries only a teaser, so its page must be fetched
        entries = [
            (
                replace(a, title="") if a.path in site.rss_untitled else a,
                "" if a.path in site.rss_unlinked else site.url(a),
                i % 4 != 1,
            )
            for i, a in enumerate(site.articles[: site.rss_items])
        ]
        return rss_feed(entries, link=site.base_url + "/"), "application/rss+xml; charset=utf-8"

    def _article(self, path: str) -> tuple[bytes, str]:
        article = self.site.by_path[path]
        url = self.site.url(article)
        if article.template == "legacy":
            return legacy_page(article, url), "text/html; charset=GBK"
        page = modern_page(article, url)
        if path in self.site.redesigned:
            page = redesigned_page(page)
        return page, "text/html; charset=utf-8"


@dataclass
class ReplayHandle:
    """A running replay. ``stop()`` shuts it down; the request log stays readable."""

    base_url: str
    articles: list[ReplayArticle]
    _server: ThreadingHTTPServer
    _thread: threading.Thread
    _site: ReplaySite

    @property
    def roll_url(self) -> str:
        return self.base_url + ROLL_PATH

    @property
    def zhibo_url(self) -> str:
        return f"{self.base_url}{ZHIBO_PATH}?{ZHIBO_QUERY}"

    @property
    def rss_url(self) -> str:
        return self.base_url + RSS_PATH

    def url_of(self, article: ReplayArticle) -> str:
        return self._site.url(article)

    @property
    def requests(self) -> list[RequestRecord]:
        with self._site.lock:
            return list(self._site.log)

    def publish_zhibo(self, count: int = 1) -> None:
        """Publish ``count`` more of the 7x24 items held back by ``zhibo_hidden``: they come on top of the feed."""
        with self._site.lock:
            self._site.zhibo_hidden = max(0, self._site.zhibo_hidden - count)

    def break_zhibo_page(self, page: int, how: str | int | None) -> None:
        """Make 7x24 page ``page`` answer ``malformed`` or with an HTTP status from now on (None: mend it)."""
        with self._site.lock:
            if how is None:
                self._site.zhibo_broken.pop(page, None)
            else:
                self._site.zhibo_broken[page] = how

    def request_summary(self) -> list[tuple[str, int, str | None, int]]:
        """``(route, status, fault, requests)`` for every kind of answer given, most frequent first."""
        counts = Counter((r.route, r.status, r.fault) for r in self.requests)
        return [(route, status, fault, n) for (route, status, fault), n in counts.most_common()]

    def article_requests(self) -> Counter[str]:
        """How often each article page was asked for (whatever the answer)."""
        return Counter(r.path for r in self.requests if r.route == "article")

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> ReplayHandle:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def start_replay(
    articles_dir: str | Path,
    *,
    port: int = 0,
    fault_rate: float = 0.0,
    seed: int = 0,
    host: str = "127.0.0.1",
    slow_s: float = 3.0,
    legacy_share: float = 0.2,
    robots_disallow: Sequence[str] = ("/private/",),
    fail_paths: Mapping[str, int] | None = None,
    max_faults_in_a_row: int = 3,
    fault_kinds: Sequence[str] = FAULT_KINDS,
    rss_items: int = 30,
    zhibo_docurl: str = "twin",
    rss_untitled: Collection[str] = (),
    rss_unlinked: Collection[str] = (),
    redesigned: Collection[str] = (),
    zhibo_broken: Mapping[int, str | int] | None = None,
    zhibo_hidden: int = 0,
    redirects: Mapping[str, str] | None = None,
) -> ReplayHandle:
    """Serve the archive posts under ``articles_dir`` the way Sina does, on ``host:port`` (0: any free port).

    ``fault_rate`` (0..1) mixes in seeded faults (see ``policywatch.crawlers.replay.faults``) of ``fault_kinds``;
    ``slow_s`` is how long a slow answer takes (set it above the crawler's timeout); ``fail_paths`` maps article paths
    to a status they always get (a permanent failure); ``robots_disallow`` lists robots.txt Disallow paths;
    ``zhibo_docurl`` says what a 7x24 item's ``docurl`` names: a page of its own (``twin``) or the article it
    announces (``article``);
    ``rss_untitled`` and ``rss_unlinked`` list article paths whose RSS item has an empty title or no link;
    ``redesigned`` lists article paths served in a (modern) template whose body the parser cannot find;
    ``zhibo_broken`` maps 7x24 page numbers to ``"malformed"`` (a 200 answer cut short) or an HTTP status they
    always get; ``zhibo_hidden`` holds back the newest 7x24 items until ``ReplayHandle.publish_zhibo``;
    ``redirects`` maps article paths to the URL a ``302`` sends them to (``{offsite}`` in it: the other host's base).
    """
    if not 0.0 <= fault_rate <= 1.0:
        raise ValueError(f"fault_rate must be between 0 and 1, got {fault_rate}")
    articles = load_catalog(Path(articles_dir), legacy_share=legacy_share, seed=seed)
    handler = type("ReplayHandler", (_Handler,), {})
    server = ThreadingHTTPServer((host, port), handler)
    server.daemon_threads = True
    bound = server.server_address[1]
    site = ReplaySite(
        articles=articles,
        base_url=f"http://{host}:{bound}",
        offsite_base=f"http://{'localhost' if host != 'localhost' else '127.0.0.1'}:{bound}",
        faults=FaultPlan(rate=fault_rate, seed=seed, max_in_a_row=max_faults_in_a_row, kinds=tuple(fault_kinds)),
        slow_s=slow_s,
        robots_disallow=tuple(robots_disallow),
        fail_paths=dict(fail_paths or {}),
        rss_items=rss_items,
        zhibo_docurl=zhibo_docurl,
        rss_untitled=frozenset(rss_untitled),
        rss_unlinked=frozenset(rss_unlinked),
        redesigned=frozenset(redesigned),
        zhibo_broken=dict(zhibo_broken or {}),
        zhibo_hidden=zhibo_hidden,
    )
    site.redirects = {path: url.replace("{offsite}", site.offsite_base) for path, url in (redirects or {}).items()}
    site.build()
    handler.site = site
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)
    thread.start()
    return ReplayHandle(site.base_url, articles, server, thread, site)
