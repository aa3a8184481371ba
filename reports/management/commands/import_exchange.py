"""`python manage.py import_exchange PATH [--dry-run]` (DESIGN.md section 8)."""

from django.core.management.base import CommandError

from accounts.management.base import AccessLoggedCommand
from reports.exchange.importer import import_exchange, summary_lines
from reports.exchange.source import from_path


class Command(AccessLoggedCommand):
    help = (
        "Import a folder or .zip of CSV files in the exchange format. Every row is checked "
        "first; nothing is written unless all are valid. --dry-run only checks."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="a folder of CSV files, or a .zip of them")
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="check everything and say what would change, but write nothing",
        )

    def handle(self, *args, path, dry_run, **options):
        source = from_path(path)
        result = import_exchange(source, dry_run=dry_run, progress=self.stdout.write)
        if not result.ok:
            for problem in result.problems:
                self.stderr.write(str(problem))
            raise CommandError(
                f"{len(result.problems)} problem(s) found; nothing was imported. "
                "Correct them and run the import again."
            )
        for line in summary_lines(result):
            self.stdout.write(line)
        rate = result.rows / result.seconds if result.seconds else 0
        verb = "Checked" if dry_run else "Imported"
        self.stdout.write(
            self.style.SUCCESS(
                f"{verb} {result.rows} rows in {result.seconds:.1f} s ({rate:,.0f} rows/s)."
            )
        )
