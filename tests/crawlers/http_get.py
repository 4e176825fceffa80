"""A plain HTTP GET for talking to a local server in tests."""

from __future__ import annotations

import urllib.error
import urllib.request

SINA_REFERER = "https://finance.sina.com.cn/"


def get(url: str, *, referer: str | None = SINA_REFERER, timeout: float = 10.0) -> tuple[int, dict[str, str], bytes]:
    headers = {"User-Agent": "Mozilla/5.0 test"}
    if referer:
        headers["Referer"] = referer
    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=timeout) as answer:
            return answer.status, dict(answer.headers), answer.read()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read()
