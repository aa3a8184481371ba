"""URLs of the case record. Names follow `cases:<model>-<action>` (STYLE.md)."""

from django.urls import path

from .views import caseload, compliance, records, transfers, young_people

app_name = "cases"

urlpatterns = [
    # Lists (cases/views/caseload.py)
    path("caseload/", caseload.my_caseload, name="caseload"),
    path("appointments/", caseload.my_appointments, name="appointment-list"),
    path("teams/", caseload.team_list, name="team-list"),
    path("teams/<slug:code>/", caseload.team_overview, name="team-detail"),
    path("teams/<slug:code>/reallocate/", caseload.reallocate, name="team-reallocate"),
    # One young person (cases/views/young_people.py)
    path("young-people/new/", young_people.refer, name="youngperson-create"),
    path("young-people/<int:pk>/", young_people.detail, name="youngperson-detail"),
    path("young-people/<int:pk>/edit/", young_people.edit, name="youngperson-edit"),
    path("young-people/<int:pk>/archive/", young_people.archive, name="youngperson-archive"),
    path("young-people/<int:pk>/timeline/", young_people.timeline, name="youngperson-timeline"),
    path("young-people/<int:pk>/summary/", young_people.summary, name="youngperson-summary"),
    path("young-people/<int:pk>/summary.pdf", young_people.summary_pdf, name="youngperson-pdf"),
    path("young-people/<int:pk>/trm-chart.svg", young_people.trm_chart, name="trm-chart"),
    path("young-people/<int:pk>/history/", young_people.history, name="youngperson-history"),
    path(
        "young-people/<int:pk>/access-log/", young_people.access_log, name="youngperson-access-log"
    ),
    # Records about a young person (cases/views/records.py)
    path("young-people/<int:pk>/needs/new/", records.need_create, name="need-create"),
    path("young-people/<int:pk>/offences/new/", records.offence_create, name="offence-create"),
    path("young-people/<int:pk>/orders/new/", records.order_create, name="order-create"),
    path("young-people/<int:pk>/breaches/new/", records.breach_create, name="breach-create"),
    path("young-people/<int:pk>/custody/new/", records.custody_create, name="custody-create"),
    path("young-people/<int:pk>/consent/new/", records.consent_create, name="consent-create"),
    path(
        "young-people/<int:pk>/consent/parent-requirement/",
        records.parent_requirement,
        name="consent-parent-requirement",
    ),
    path("young-people/<int:pk>/trm/new/", records.trm_create, name="trmassessment-create"),
    path(
        "young-people/<int:pk>/appointments/new/",
        records.appointment_create,
        name="appointment-create",
    ),
    path(
        "young-people/<int:pk>/appointments/<int:appointment_pk>/edit/",
        records.appointment_edit,
        name="appointment-edit",
    ),
    # Compliance decisions on missed appointments (cases/views/compliance.py)
    path(
        "young-people/<int:pk>/appointments/<int:appointment_pk>/compliance/",
        compliance.decide,
        name="compliancedecision-edit",
    ),
    path(
        "young-people/<int:pk>/compliance/<int:decision_pk>/agreement/",
        compliance.agree,
        name="compliancedecision-agree",
    ),
    path(
        "young-people/<int:pk>/<slug:kind>/<int:record_pk>/archive/",
        records.record_archive,
        name="record-archive",
    ),
    # Transfer between YOTs (cases/views/transfers.py)
    path(
        "young-people/<int:pk>/transfer/",
        transfers.request_transfer,
        name="casetransfer-create",
    ),
    path("transfers/", transfers.transfer_list, name="casetransfer-list"),
    path("transfers/<int:transfer_pk>/", transfers.transfer_detail, name="casetransfer-detail"),
    path(
        "transfers/<int:transfer_pk>/cancel/",
        transfers.transfer_cancel,
        name="casetransfer-cancel",
    ),
]
