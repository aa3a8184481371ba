"""Building a run's files in memory: the evaluation report (JSON, CSV, XLSX, HTML, PDF) or
the pseudonymised case-level dataset with its dictionary and manifest.

`step(percent, text)` records progress as each part is done.
"""

from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.utils.translation import gettext as _

from accounts.models import Team, labels_by_code
from cases.models import YoungPerson

from .. import exports, subject_access, suppression, targets, vocabularies
from ..comparison.build import comparison_for_run
from ..dataset import dataset_stream, dictionary_codes
from ..measures import Scope, compute_all
from ..models import FileKind, ReportKind, ReportRun
from .failures import ReportError


@dataclass
class Output:
    """One file of a run, before it is stored."""

    kind: str
    name: str
    data: bytes
    rows: int | None = None


def scope_for(run: ReportRun) -> Scope:
    """The measures' Scope for a run; its teams never leave the requester's scope."""
    parameters = run.parameters
    team_ids = run.team_ids
    if run.scope_team_ids is not None:
        allowed = set(run.scope_team_ids)
        team_ids = sorted(allowed if team_ids is None else set(team_ids) & allowed)
    return Scope(
        date_from=date.fromisoformat(parameters["date_from"]),
        date_to=date.fromisoformat(parameters["date_to"]),
        team_ids=None if team_ids is None else tuple(team_ids),
        follow_up_months=parameters["follow_up_months"],
        as_of=date.fromisoformat(parameters["as_of"]),
        fidelity_window_days=parameters["fidelity_window_days"],
    )


def file_stem(run: ReportRun) -> str:
    """A safe file name stem: letters, digits and hyphens only, never user input."""
    if run.kind == ReportKind.EVALUATION_DATASET:
        return f"ecm-evaluation-dataset-{run.pk}"
    return f"ecm-evaluation-report-{run.pk}"


def run_outputs(run: ReportRun, scope: Scope, step) -> list[Output]:
    """Every file the run's kind of report is made of."""
    if run.kind == ReportKind.EVALUATION_DATASET:
        return _dataset_outputs(run, scope, step)
    return _evaluation_outputs(run, scope, step)


def _evaluation_outputs(run, scope, step) -> list[Output]:
    # Most of the time goes on reading the records into facts; the measures follow quickly.
    step(5, _("Reading the records of each young person in the report"))
    results = compute_all(
        scope,
        progress=lambda done, total: step(
            40 + 45 * done // total,
            _("Calculated %(done)s of %(total)s measures") % {"done": done, "total": total},
        ),
    )
    document = exports.evaluation_document(run.parameters, results)
    if run.parameters.get("suppression"):
        document = suppression.suppress(document, run.parameters["suppression_threshold"])
    document["targets"] = targets.document_targets(document)
    document["comparison"] = comparison_for_run(scope, run.parameters)
    stem = file_stem(run)
    team_names = labels_by_code(Team, document["by_team"])
    category_names = vocabularies.category_names()
    names = {"team_names": team_names, "category_names": category_names}
    rows = exports.evaluation_csv_rows(document, **names)
    outputs = [
        Output(FileKind.JSON, f"{stem}.json", exports.json_bytes(document)),
        Output(
            FileKind.CSV,
            f"{stem}.csv",
            exports.csv_bytes(exports.CSV_HEADINGS, rows),
            len(rows),
        ),
        Output(
            FileKind.XLSX,
            f"{stem}.xlsx",
            exports.evaluation_xlsx(document, **names),
        ),
    ]
    step(88, _("Drawing the charts"))
    html = exports.evaluation_html(
        exports.report_context(
            document,
            team_names=team_names,
            max_teams=settings.ECM_REPORT_PDF_MAX_TEAMS,
            category_names=category_names,
        )
    )
    outputs.append(Output(FileKind.HTML, f"{stem}.html", html.encode("utf-8")))
    step(92, _("Writing the PDF"))
    outputs.append(Output(FileKind.PDF, f"{stem}.pdf", exports.evaluation_pdf(html)))
    return outputs


def _dataset_outputs(run, scope, step) -> list[Output]:
    step(10, _("Building the case-level dataset"))
    dictionary, rows = dataset_stream(scope)
    codes = dictionary_codes(dictionary)
    # Each row goes into both files as it is made; the rows are never all held at once.
    csv_file, xlsx_file, count = exports.dataset_files(dictionary, rows, codes)
    step(70, _("Writing the files"))
    stem = file_stem(run)
    outputs = [
        Output(FileKind.DATASET_CSV, f"{stem}.csv", csv_file, count),
        Output(FileKind.DATASET_XLSX, f"{stem}.xlsx", xlsx_file, count),
        Output(
            FileKind.DICTIONARY,
            f"{stem}-dictionary.csv",
            exports.dictionary_csv(dictionary, codes),
            len(dictionary) + len(codes),
        ),
    ]
    listed = [
        {
            "name": output.name,
            "kind": output.kind,
            "rows": output.rows,
            "bytes": len(output.data),
            "sha256": exports.sha256(output.data),
        }
        for output in outputs
    ]
    outputs.append(
        Output(
            FileKind.MANIFEST,
            f"{stem}-manifest.json",
            exports.manifest_json(run.parameters, listed),
        )
    )
    return outputs


def subject_access_outputs(run: ReportRun, step) -> list[Output]:
    """The subject access bundle of the run's young person, if the requester's teams still
    hold the case (a case transferred away meanwhile is not theirs to export)."""
    young_person = YoungPerson.objects.filter(
        pk=run.parameters.get("young_person_id"), team_id__in=run.scope_team_ids or []
    ).first()
    if young_person is None:
        raise ReportError(_("This young person's record is no longer one of your team's cases."))
    step(10, _("Collecting every record about the young person"))
    data = subject_access.bundle_bytes(young_person)
    return [Output(FileKind.ZIP, f"subject-access-{run.pk}.zip", data)]
