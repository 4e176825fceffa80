"""The providers' one retry policy, in tenacity: ``max_retries`` retries after the first attempt, waiting
``backoff_s`` × 2^n seconds before retry n + 1 (2, 4, 8, 16 s by default), then the last error is raised again
as it was, so a caller records the provider's own message. ``sleep`` is injectable: tests record the waits."""

from __future__ import annotations

from collections.abc import Callable

from tenacity import Retrying, stop_after_attempt, wait_exponential
from tenacity.retry import RetryBaseT

__all__ = ["backoff"]


def backoff(*, retry: RetryBaseT, max_retries: int, backoff_s: float, sleep: Callable[[float], None]) -> Retrying:
    """A tenacity ``Retrying`` that retries what ``retry`` accepts (e.g. ``retry_if_exception_type``)."""
    return Retrying(
        retry=retry,
        stop=stop_after_attempt(max_retries + 1),
        wait=wait_exponential(multiplier=backoff_s, exp_base=2),
        sleep=sleep,
        reraise=True,
    )
