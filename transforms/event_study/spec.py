"""What a study computes: the normal-return model, return kind, windows and the data rules.

Relative days are trading sessions on the study's session list (never calendar days). Defaults follow
MacKinlay (1997): estimation window [-250, -11], event window [-5, +10], market model, simple returns.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from policywatch.transforms.errors import ConfigError

__all__ = [
    "DEFAULT_CAR_WINDOWS",
    "MissingRule",
    "Model",
    "ReturnKind",
    "StudySpec",
    "parse_window",
    "window_label",
]

Model = Literal["market", "market_adjusted", "constant_mean"]
ReturnKind = Literal["simple", "log"]
#: trade_to_trade: a return after a suspension spans the gap (the benchmark is compounded over the same
#: sessions); drop: a return that spans a gap is missing.
MissingRule = Literal["trade_to_trade", "drop"]

DEFAULT_CAR_WINDOWS: tuple[tuple[int, int], ...] = ((0, 0), (0, 1), (-1, 1), (0, 5), (0, 10))

#: parameters estimated in the normal-return model; the residual variance divides by M − this
#: (market model: α and β; constant mean: μ; market-adjusted: the mean of the ARs, Brown–Warner style)
PARAMETERS: dict[str, int] = {"market": 2, "constant_mean": 1, "market_adjusted": 1}


def parse_window(text: str) -> tuple[int, int]:
    """``"-250:-11"`` → ``(-250, -11)``; raises ConfigError for anything else."""
    parts = text.replace("[", "").replace("]", "").replace(",", ":").split(":")
    try:
        start, end = (int(p) for p in parts)
    except ValueError:
        raise ConfigError(f"a window is START:END in trading days (e.g. -5:10), got {text!r}") from None
    if start > end:
        raise ConfigError(f"window {text!r} starts after it ends")
    return start, end


def window_label(window: tuple[int, int]) -> str:
    return f"{window[0]}:{window[1]}"


@dataclass(frozen=True, slots=True)
class StudySpec:
    model: Model = "market"
    returns: ReturnKind = "simple"
    estimation: tuple[int, int] = (-250, -11)
    window: tuple[int, int] = (-5, 10)
    #: CAR windows reported besides the whole event window; those outside the event window are left out
    car_windows: tuple[tuple[int, int], ...] = DEFAULT_CAR_WINDOWS
    #: an event needs at least this many valid estimation-window returns
    min_estimation: int = 120
    missing: MissingRule = "trade_to_trade"
    #: mask the event windows of the same ticker's other events out of each estimation window (which events
    #: count is ``EventTable.confounding``; every event by default)
    exclude_other_events: bool = True
    #: events per block in the per-event pass (memory, not results)
    chunk_size: int = 2_048

    def __post_init__(self) -> None:
        if self.model not in PARAMETERS:
            raise ConfigError(f"model must be one of {sorted(PARAMETERS)}, got {self.model!r}")
        if self.returns not in ("simple", "log"):
            raise ConfigError(f"returns must be 'simple' or 'log', got {self.returns!r}")
        if self.missing not in ("trade_to_trade", "drop"):
            raise ConfigError(f"missing must be 'trade_to_trade' or 'drop', got {self.missing!r}")
        (e0, e1), (w0, w1) = self.estimation, self.window
        if e0 > e1 or w0 > w1:
            raise ConfigError(f"windows must run forwards: estimation {self.estimation}, event {self.window}")
        if e1 >= w0:
            raise ConfigError(
                f"the estimation window {window_label(self.estimation)} must end before the event window "
                f"{window_label(self.window)} starts, or the event contaminates its own normal returns"
            )
        needed = PARAMETERS[self.model] + 3  # Patell's variance (df)/(df − 2) needs df > 2
        if self.min_estimation < needed:
            raise ConfigError(f"min_estimation must be at least {needed} for the {self.model} model")
        if self.min_estimation > e1 - e0 + 1:
            raise ConfigError(
                f"min_estimation {self.min_estimation} exceeds the estimation window's "
                f"{e1 - e0 + 1} sessions: no event could qualify"
            )
        if self.chunk_size < 1:
            raise ConfigError("chunk_size must be positive")

    @property
    def n_parameters(self) -> int:
        return PARAMETERS[self.model]

    @property
    def windows(self) -> tuple[tuple[int, int], ...]:
        """CAR windows inside the event window, then the event window itself, without repeats."""
        w0, w1 = self.window
        chosen = [w for w in self.car_windows if w0 <= w[0] <= w[1] <= w1]
        if self.window not in chosen:
            chosen.append(self.window)
        return tuple(dict.fromkeys(chosen))
