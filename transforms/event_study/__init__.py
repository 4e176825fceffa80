"""The event-study engine: pure, vectorised numpy over events (see ``engine`` for the data shapes).

result = run_event_study(PricePanel(...), EventTable(...), StudySpec(model="market"), Groups(...))
"""

from policywatch.transforms.event_study.engine import EventTable, Groups, StudyResult, run_event_study
from policywatch.transforms.event_study.panel import PricePanel, ReturnPanel, compute_returns
from policywatch.transforms.event_study.spec import DEFAULT_CAR_WINDOWS, StudySpec, parse_window, window_label

__all__ = [
    "DEFAULT_CAR_WINDOWS",
    "EventTable",
    "Groups",
    "PricePanel",
    "ReturnPanel",
    "StudyResult",
    "StudySpec",
    "compute_returns",
    "parse_window",
    "run_event_study",
    "window_label",
]
