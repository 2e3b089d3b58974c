"""`python -m clientdesk.web.dbcheck`: fail loudly, in one line, when the database is down."""

from __future__ import annotations

import os
import sys


def main() -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clientdesk.settings")
    import django
    from django.db import connection

    django.setup()
    db = connection.settings_dict
    engine = db["ENGINE"].rsplit(".", 1)[-1]
    where = f"{engine} {db.get('HOST') or ''}:{db.get('PORT') or ''}/{db['NAME']}"
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception as exc:  # any driver error means the same thing here
        print(f"database unreachable ({where}): {exc}".strip(), file=sys.stderr)
        return 1
    print(f"database reachable: {where}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
