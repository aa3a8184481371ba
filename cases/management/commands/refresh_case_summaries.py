"""Recompute the stored case summaries from the records, or check that they agree (every
table `cases.summary` keeps: the case lists' summaries and the stored evaluation facts).

The services keep the summaries true as they write (`cases.summary`); this command is for a
database changed some other way (a restore, a repair in SQL): ``--check`` lists the young
people whose stored summary differs from their records and fails if there are any; without
it every summary is rebuilt.
"""

from django.core.management.base import CommandError

from accounts.management.base import AccessLoggedCommand
from cases import summary


class Command(AccessLoggedCommand):
    help = (
        "Recompute every young person's stored case summaries and evaluation facts "
        "(or --check them)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--check",
            action="store_true",
            help="Compare the stored summaries with the records; change nothing.",
        )

    def handle(self, *args, check=False, **options):
        if check:
            found = summary.mismatches()
            if found:
                for mismatch in found:
                    self.stderr.write(
                        f"young person {mismatch.young_person_id}: {mismatch.table}."
                        f"{mismatch.column} is {mismatch.stored!r}, the records say "
                        f"{mismatch.computed!r}"
                    )
                raise CommandError(
                    f"{len(found)} stored summary value(s) differ from the records "
                    "(at most 100 are listed); run refresh_case_summaries to rebuild them"
                )
            self.stdout.write("Every stored case summary agrees with the records.")
            return
        count = summary.refresh_all(
            progress=lambda done: self.stdout.write(f"{done:,} young people summarised")
        )
        self.stdout.write(self.style.SUCCESS(f"Summaries rebuilt for {count:,} young people."))
