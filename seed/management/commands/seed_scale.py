"""Scale data for benchmarks: many teams, staff and young people, written in bulk.

    python manage.py seed_scale --teams 150 --young-people 100000 [--seed 1]
        [--appointments-per-person 40] [--batch-size 5000]

Idempotent: running it again with the same arguments adds nothing (existing teams, staff,
young people and supervision sessions are skipped); a larger ``--young-people`` adds only
the new ones. The records carry no history rows and no case events: they are generated, not
edits made by people. See `seed.scale` for what is generated and the rules it keeps.
"""

from django.conf import settings
from django.core.management.base import CommandError

from accounts.management.base import AccessLoggedCommand
from seed import scale


def _positive(value: str) -> int:
    number = int(value)
    if number < 1:
        raise ValueError(value)
    return number


def _not_negative(value: str) -> int:
    number = int(value)
    if number < 0:
        raise ValueError(value)
    return number


class Command(AccessLoggedCommand):
    help = (
        "Generate realistic scale data (teams, staff, young people and their records) in bulk, "
        "for benchmarks. Idempotent: existing teams, staff and young people are skipped."
    )

    def add_arguments(self, parser):
        parser.add_argument("--teams", type=_positive, required=True, help="Number of teams.")
        parser.add_argument(
            "--young-people", type=_not_negative, required=True, help="Number of young people."
        )
        parser.add_argument(
            "--seed",
            type=_not_negative,
            default=1,
            help="Random seed; references SCALE-<seed>-<n>.",
        )
        parser.add_argument(
            "--appointments-per-person",
            type=_not_negative,
            default=40,
            help="Mean appointments per young person (default 40).",
        )
        parser.add_argument(
            "--batch-size",
            type=_positive,
            default=scale.DEFAULT_BATCH_SIZE,
            help=f"Rows per INSERT or COPY batch (default {scale.DEFAULT_BATCH_SIZE}).",
        )
        parser.add_argument(
            "--people-per-transaction",
            type=_positive,
            default=scale.DEFAULT_PEOPLE_PER_TRANSACTION,
            help="Young people written per transaction "
            f"(default {scale.DEFAULT_PEOPLE_PER_TRANSACTION}).",
        )
        parser.add_argument(
            "--method",
            choices=["auto", "copy", "bulk_create"],
            default="auto",
            help="auto: COPY on PostgreSQL for rows nothing points at, bulk_create otherwise.",
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="Run even though neither DJANGO_DEBUG nor ECM_DEMO is on (never on real data).",
        )

    def handle(self, *args, **options):
        if not (settings.DEBUG or getattr(settings, "ECM_DEMO", False) or options["force"]):
            raise CommandError(
                "seed_scale adds thousands of fictional young people; it refuses to run unless "
                "DJANGO_DEBUG or ECM_DEMO is true. Use --force only on a throwaway database."
            )
        progress = scale.Progress(
            self._write,
            tty=self.stdout.isatty(),
            total=options["young_people"],
            flush=self.stdout.flush,
        )
        try:
            result = scale.generate(
                teams=options["teams"],
                young_people=options["young_people"],
                seed=options["seed"],
                appointments_per_person=options["appointments_per_person"],
                batch_size=options["batch_size"],
                people_per_transaction=options["people_per_transaction"],
                method=options["method"],
                progress=progress,
            )
        except ValueError as error:
            raise CommandError(str(error)) from error
        scale.write_summary(result, self._write)
        self.stdout.write(self.style.SUCCESS("Scale data ready."))

    def _write(self, text: str) -> None:
        self.stdout.write(text, ending="")
