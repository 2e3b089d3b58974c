"""The home page's memo: `lake.memo.ReaderMemo` (kept there, below the apps, so a domain app's
page can use it too: the guarantees portfolio does)."""

from __future__ import annotations

from clientdesk.lake.memo import ReaderMemo, data_state

__all__ = ["ReaderMemo", "data_state"]
