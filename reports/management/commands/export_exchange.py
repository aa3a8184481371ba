"""`python manage.py export_exchange PATH` (DESIGN.md section 8)."""

import time

from accounts.management.base import AccessLoggedCommand
from reports.exchange.exporter import export_exchange


class Command(AccessLoggedCommand):
    help = (
        "Write every file of the exchange format (CSV with header rows) to a folder, or to a "
        "zip if PATH ends .zip."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="a folder (created if missing) or a path ending .zip")

    def handle(self, *args, path, **options):
        started = time.monotonic()
        counts = export_exchange(
            path, progress=lambda name, rows: self.stdout.write(f"{name}: {rows} rows")
        )
        total = sum(counts.values())
        self.stdout.write(
            self.style.SUCCESS(
                f"Exported {total} rows in {len(counts)} files to {path} "
                f"in {time.monotonic() - started:.1f} s."
            )
        )
