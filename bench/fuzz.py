"""Fuzz the whole REST API with schemathesis: every operation, every check, seeded.

    .venv/bin/python bench/fuzz.py                    # 100 positive + 100 negative cases per
                                                      # operation and token, temp SQLite
    .venv/bin/python bench/fuzz.py --examples 300 --seed 7
    .venv/bin/python bench/fuzz.py --operation "PATCH /api/insights/problems/{problem_id}"
    .venv/bin/python bench/fuzz.py --path /api/strategy --path /api/team   # by path prefix

Builds the test cast (clientdesk/testing.py) in a fresh database under a temporary data dir,
with a record for each id a route names (fuzzing.SEEDED_RECORDS: an inquiry, a problem, a call
to action, a survey, a report run, a course, …) so the id routes have something to find, then
runs schemathesis in process (WSGI, no server) as the manager (mia) and an associate
(alice), each with a token of every scope. It prints the operations, the requests sent, the
seconds, and the failures by check (target: 0), with a few failing requests per check.

The suite runs the same code, shorter (clientdesk/web/tests/test_api_fuzz.py).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--examples", type=int, default=100, help="cases per operation and mode")
    parser.add_argument("--seed", type=int, default=22)
    parser.add_argument("--operation", action="append", help="only this operation (repeatable)")
    parser.add_argument(
        "--path", action="append", help="only operations whose path starts so (repeatable)"
    )
    parser.add_argument(
        "--statuses", action="store_true", help="print what each operation answered, by mode"
    )
    args = parser.parse_args()

    data_dir = Path(tempfile.mkdtemp(prefix="clientdesk-fuzz-"))
    os.environ["CLIENTDESK_DATA_DIR"] = str(data_dir)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clientdesk.settings")
    os.environ.pop("DATABASE_URL", None)
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.STORAGES = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    call_command("migrate", verbosity=0)

    from clientdesk.web.tests.fuzzing import fuzz_api, seed_api_book

    tokens = seed_api_book()
    operations = args.operation
    if args.path:
        from clientdesk.web.tests.fuzzing import api_operations, api_schema

        operations = [
            *(operations or []),
            *(
                op.label
                for op in api_operations(api_schema())
                if op.path.startswith(tuple(args.path))
            ),
        ]
    started = time.perf_counter()
    result = fuzz_api(tokens, max_examples=args.examples, seed=args.seed, operations=operations)
    seconds = time.perf_counter() - started
    print(f"seed {args.seed}, {args.examples} cases per operation, mode and token")
    print(f"operations: {result.operations}")
    print(f"requests: {result.requests}")
    print(f"seconds: {seconds:.1f}")
    print(f"failures: {result.total_failures} (target 0)")
    print(result.describe())
    if result.refusals:
        print("why schema-valid requests were refused (422 messages):")
        for reason, count in result.refusals.most_common():
            print(f"  {count:5d}  {reason}")
    if args.statuses:
        print("answers by operation and mode (status: requests):")
        for (operation, mode, status), count in sorted(result.statuses.items()):
            print(f"  {operation:60} {mode:8} {status}: {count}")
    return 0 if result.total_failures == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
