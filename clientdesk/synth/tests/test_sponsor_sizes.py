"""Account sizes: log-normal, at least 50 members, two jumbo accounts."""

from __future__ import annotations

import numpy as np

from clientdesk.synth.sponsors import _allocate_members


def test_two_jumbo_accounts_hold_19_percent_each() -> None:
    sizes = _allocate_members(20_000, 24, np.random.default_rng(2026))
    assert int(sizes.sum()) == 20_000
    assert int(sizes.min()) >= 50
    # 50 + floor(0.19 x (20,000 - 24 x 50)) = 50 + 3,572 (plus at most one remainder member)
    top = np.sort(sizes)[::-1]
    assert 3_622 <= int(top[1]) <= int(top[0])
    assert int(top[2]) < 3_622


def test_small_books_keep_plain_log_normal_sizes() -> None:
    sizes = _allocate_members(1_150, 4, np.random.default_rng(1))
    raw = np.random.default_rng(1).lognormal(0.0, 0.95, 4)
    assert int(sizes.sum()) == 1_150
    assert np.array_equal(np.argsort(-sizes), np.argsort(-raw))
    extra = sizes - 50 - np.floor(raw / raw.sum() * 950).astype(np.int64)
    assert set(extra.tolist()) <= {0, 1}  # only the rounding remainder, no jumbo lift
