"""The group statistics on small inputs worked by hand: ties, zeros, missing values, several groups at once."""

from __future__ import annotations

import math

import numpy as np
import pytest
from policywatch.transforms.event_study.statistics import Segments, corrado, cross_section
from scipy import stats


def one_column(values, groups):
    x = np.array(values, dtype=float)[:, None]
    segs = Segments.build(np.array(groups), np.arange(len(values)), max(groups) + 1, len(values))
    return segs, x[segs.idx]


def test_wilcoxon_with_ties_and_zeros_by_hand():
    values = [0.01, -0.01, 0.02, 0.0, 0.03, 0.01]
    segs, x = one_column(values, [0] * 6)
    out = cross_section(segs, x, x, np.full(6, 100.0), np.array([0.5]), window_form=False)
    # zeros dropped: n = 5; |x| = .01 ×3 share rank 2, .02 → 4, .03 → 5; W+ = 2 + 4 + 5 + 2 = 13
    assert out["wilcoxon_w"][0, 0] == 13
    var = 5 * 6 * 11 / 24 - (3**3 - 3) / 48
    z = (13 - 5 * 6 / 4) / math.sqrt(var)
    assert out["wilcoxon_z"][0, 0] == pytest.approx(z)
    assert out["wilcoxon_p"][0, 0] == pytest.approx(math.erfc(z / math.sqrt(2)))
    scipy_p = stats.wilcoxon(values, zero_method="wilcox", correction=False, method="approx").pvalue
    assert out["wilcoxon_p"][0, 0] == pytest.approx(scipy_p)  # an independent implementation agrees
    assert (out["n_pos"][0, 0], out["n_neg"][0, 0], out["n"][0, 0]) == (4, 1, 6)


def _wilcoxon_p(values):
    segs, x = one_column(values, [0] * len(values))
    out = cross_section(segs, x, x, np.full(len(values), 100.0), np.array([0.5]), window_form=False)
    return out["wilcoxon_p"][0, 0]


def test_wilcoxon_exact_p_for_small_untied_samples():
    # by hand: one value has two equally likely signs, p = 1; three positive values: W⁺ = 6 has probability
    # 1/8 and the two-sided p is 2/8
    assert _wilcoxon_p([0.012]) == 1.0
    assert _wilcoxon_p([0.01, 0.02, 0.03]) == pytest.approx(0.25, abs=1e-15)
    assert _wilcoxon_p([-0.01, -0.02, -0.03, -0.04]) == pytest.approx(0.125, abs=1e-15)
    rng = np.random.default_rng(4)
    for n in (2, 5, 8, 13, 25, 50):
        for _ in range(5):
            values = rng.normal(0.005, 0.02, n)
            expected = stats.wilcoxon(values, method="exact").pvalue  # scipy's own exact distribution
            assert _wilcoxon_p(values.tolist()) == pytest.approx(expected, rel=1e-9, abs=1e-15), n


def test_wilcoxon_normal_approximation_above_fifty_and_with_ties():
    values = np.random.default_rng(5).normal(0.003, 0.02, 60)
    expected = stats.wilcoxon(values, correction=False, method="asymptotic").pvalue
    assert _wilcoxon_p(values.tolist()) == pytest.approx(expected, rel=1e-9)
    tied = [0.01, 0.01, -0.02, 0.03]  # a tie: the exact table does not apply
    expected = stats.wilcoxon(tied, correction=False, method="asymptotic").pvalue
    assert _wilcoxon_p(tied) == pytest.approx(expected, rel=1e-9)


def test_groups_are_independent_and_missing_values_are_left_out():
    values = [0.02, 0.01, np.nan, -0.03, 0.04, 0.05]
    segs, x = one_column(values, [0, 0, 0, 1, 1, 1])
    p_hat = np.array([0.5, 0.4])
    out = cross_section(segs, x, x, np.full(6, 50.0), p_hat, window_form=False)
    assert out["n"][:, 0].tolist() == [2, 3]
    assert out["mean"][0, 0] == pytest.approx(0.015)
    group1 = [-0.03, 0.04, 0.05]
    m = sum(group1) / 3
    sd = math.sqrt(sum((v - m) ** 2 for v in group1) / 2)
    assert out["csect_t"][1, 0] == pytest.approx(m / (sd / math.sqrt(3)))
    assert out["gsign_z"][1, 0] == pytest.approx((2 - 3 * 0.4) / math.sqrt(3 * 0.4 * 0.6))
    # Patell on a day: Σ SAR / √(n · d/(d − 2)) with d = 50
    assert out["patell_z"][1, 0] == pytest.approx(sum(group1) / math.sqrt(3 * 50 / 48))


def test_corrado_zivney_with_gaps():
    # two events, 4 relative days (3 "estimation" + 1 event day); event b has no AR on the first day.
    # Values are exact in float32, as the engine stores U.
    u = np.array([[0.125, -0.25, 0.375, 0.25], [np.nan, -0.125, 0.25, 0.125]], dtype=np.float32)
    segs = Segments.build(np.array([0, 0]), np.array([0, 1]), 1, 2)
    out = corrado(segs, u, slice(3, None), [(3, 3), (2, 3)])
    counts = [1, 2, 2, 2]
    means = [0.125, (-0.25 - 0.125) / 2, (0.375 + 0.25) / 2, (0.25 + 0.125) / 2]
    s_u = math.sqrt(sum(n * m * m for n, m in zip(counts, means, strict=True)) / 4)  # S_U² = (1/T) Σ N_t Ū_t²
    assert out["corrado_z"][0, 0] == pytest.approx(math.sqrt(2) * means[3] / s_u)
    window = (math.sqrt(2) * means[2] + math.sqrt(2) * means[3]) / (math.sqrt(2) * s_u)
    assert out["corrado_window_z"][0, 1] == pytest.approx(window)
