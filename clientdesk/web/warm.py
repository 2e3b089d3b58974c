"""What a server process loads once, before gunicorn forks its workers (`clientdesk serve`).

Under `--preload` the master imports the app, runs `warm_up()`, and every worker starts with
what it loaded (shared, copy-on-write). Without it, each worker loaded the ICD-10-CM code list
on its first utilization page (about 3 s of CPU on a quiet machine): at a load average of 17,
four workers loading it at once took over gunicorn's 30-second timeout and were killed and
restarted, again and again (bench/load.py's first minute). Likewise the URLconf (every view and
what it imports: 1.7-4 s of CPU in each worker's first request, seen with py-spy under
bench/load.py), DuckDB's ibis backend and the holiday calendar. Nothing here opens a database or a
DuckDB connection that a forked worker could inherit: the connections are closed at the end.
"""

from __future__ import annotations

from django.db import connections


def warm_up() -> None:
    from django.urls import get_resolver
    from django.utils import timezone

    from clientdesk.lake.gateway import load_engine
    from clientdesk.lib.business_calendar import public_holidays
    from clientdesk.utilization.reference import category_label

    category_label("I10")  # simple_icd_10_cm parses its code list on first use
    get_resolver().url_patterns  # noqa: B018  (imports urls.py, every view, what they import)
    load_engine()  # DuckDB's ibis backend
    public_holidays("US", timezone.localdate().year)  # holidays imports a country on first use
    connections.close_all()
