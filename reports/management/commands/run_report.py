"""`python manage.py run_report evaluation|evaluation-dataset --from D --to D ... --output PATH`

Runs a report through the same task as the web page (DESIGN.md section 8): it creates a
`ReportRun` requested by no user (the operator of the service, so every team is in scope),
runs `reports.tasks.run_report_task` in this process, prints its progress, and copies the
output in the chosen format to PATH. Bad options stop it with a message naming the option.
"""

import shutil
from datetime import date
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.management.base import CommandError

from accounts.management.base import AccessLoggedCommand
from reports.models import FileKind, ReportKind, RunStatus
from reports.services.claims import observe_progress
from reports.services.requests import ALL, DEFAULT_THRESHOLD, report_request
from reports.tasks import run_report_task

KINDS = {
    "evaluation": ReportKind.EVALUATION,
    "evaluation-dataset": ReportKind.EVALUATION_DATASET,
}
FORMATS = {
    ReportKind.EVALUATION: {
        "json": FileKind.JSON,
        "csv": FileKind.CSV,
        "xlsx": FileKind.XLSX,
        "pdf": FileKind.PDF,
    },
    ReportKind.EVALUATION_DATASET: {"csv": FileKind.DATASET_CSV, "xlsx": FileKind.DATASET_XLSX},
}
#: The service's parameter names → this command's options, for its error messages.
OPTION_NAMES = {
    "date_from": "--from",
    "date_to": "--to",
    "teams": "--team",
    "as_of": "--as-of",
    "follow_up_months": "--follow-up-months",
    "fidelity_window_days": "--fidelity-window-days",
    "suppression_threshold": "--suppress-below",
}


def _day(option: str):
    def parse(value: str) -> date:
        try:
            return date.fromisoformat(value)
        except ValueError:
            raise CommandError(f"{option}: expected a date as YYYY-MM-DD, got {value!r}") from None

    return parse


class Command(AccessLoggedCommand):
    help = (
        "Run an evaluation report (or the case-level evaluation dataset) through the report "
        "task and write it to a file."
    )

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=sorted(KINDS))
        parser.add_argument("--from", dest="date_from", required=True, metavar="YYYY-MM-DD")
        parser.add_argument("--to", dest="date_to", required=True, metavar="YYYY-MM-DD")
        parser.add_argument(
            "--team",
            dest="teams",
            action="append",
            metavar="CODE",
            help="a team code; repeat for several (default: every team)",
        )
        parser.add_argument("--as-of", dest="as_of", metavar="YYYY-MM-DD", help="default today")
        parser.add_argument("--follow-up-months", type=int, default=12)
        parser.add_argument("--fidelity-window-days", type=int, default=None)
        parser.add_argument(
            "--suppress-below",
            type=int,
            default=None,
            metavar="N",
            help="suppress small numbers: counts below N are written as <N",
        )
        parser.add_argument("--format", required=True, choices=["json", "csv", "xlsx", "pdf"])
        parser.add_argument("--output", required=True, metavar="PATH")

    def check_arguments(self, *args, **options):
        self._request(options)

    def _request(self, options) -> tuple:
        """The kind, file kind, output path and service parameters; CommandError if wrong."""
        kind = KINDS[options["kind"]]
        file_kind = FORMATS[kind].get(options["format"])
        if file_kind is None:
            raise CommandError(
                f"--format: {options['kind']} can be written as "
                f"{' or '.join(sorted(FORMATS[kind]))}, not {options['format']}"
            )
        output = Path(options["output"])
        if not output.parent.is_dir():
            raise CommandError(f"--output: the folder {output.parent} does not exist")
        parameters = {
            "date_from": _day("--from")(options["date_from"]),
            "date_to": _day("--to")(options["date_to"]),
            "teams": options["teams"] or ALL,
            "as_of": _day("--as-of")(options["as_of"]) if options["as_of"] else None,
            "follow_up_months": options["follow_up_months"],
            "suppression": options["suppress_below"] is not None,
            "suppression_threshold": options["suppress_below"] or DEFAULT_THRESHOLD,
        }
        if options["fidelity_window_days"] is not None:
            parameters["fidelity_window_days"] = options["fidelity_window_days"]
        return kind, file_kind, output, parameters

    def handle(self, *args, **options):
        kind, file_kind, output, parameters = self._request(options)
        try:
            run = report_request(by=None, kind=kind, parameters=parameters, enqueue=False)
        except ValidationError as error:
            raise CommandError(
                "\n".join(
                    f"{OPTION_NAMES.get(field, field)}: {message}"
                    for field, messages in error.message_dict.items()
                    for message in messages
                )
            ) from None

        self.stdout.write(f"Report run {run.pk}: {run.get_kind_display()}")

        def echo(percent, text):
            self.stdout.write(f"{percent:3d}% {text}")

        with observe_progress(echo):
            run_report_task.apply(args=(run.pk,), throw=True)
        run.refresh_from_db()
        if run.status != RunStatus.SUCCEEDED:
            raise CommandError(f"Report run {run.pk} failed: {run.error_message}")
        report_file = run.files.get(kind=file_kind)
        with (
            default_storage.open(report_file.file.name, "rb") as source,
            output.open("wb") as target,
        ):
            shutil.copyfileobj(source, target)
        rows = f", {report_file.rows} rows" if report_file.rows is not None else ""
        self.stdout.write(
            self.style.SUCCESS(
                f"Wrote {output} ({report_file.size} bytes{rows}, SHA-256 {report_file.sha256})"
            )
        )
