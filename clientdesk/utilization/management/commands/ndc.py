"""`clientdesk ndc PATH`: load the drug (NDC) reference used for generic and specialty."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from clientdesk.utilization.actions import DrugReferenceError, do_load_drug_reference


class Command(BaseCommand):
    help = (
        "Load an NDC reference (CSV or Parquet file, or a folder of Parquet files such as a "
        "synthetic book's ndc/): ndc_code, generic_flag[, specialty_flag, maintenance_flag, "
        "drug_name, drug_class]."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path)

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            summary = do_load_drug_reference(options["path"], acting_user=None)
        except DrugReferenceError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(
            f"{summary['rows']:,} NDCs read: {summary['created']:,} added, "
            f"{summary['updated']:,} updated"
        )
