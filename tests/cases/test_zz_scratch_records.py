from django.urls import reverse
from ecm import factories
from tests.conftest import client_for

def test_dump(practitioner, team_a, psychologist):
    yp = factories.YoungPersonFactory(team=team_a, practitioner=practitioner)
    factories.OrderFactory(young_person=yp)
    ap = factories.AppointmentFactory(young_person=yp)
    c = client_for(practitioner)
    for name in ["need-create","offence-create","order-create","breach-create","custody-create","consent-create","consent-parent-requirement","trmassessment-create","appointment-create"]:
        r = c.get(reverse("cases:"+name, kwargs={"pk": yp.pk}))
        open(f"/tmp/scratch/{name}.html","w").write(r.content.decode())
    r = c.get(reverse("cases:appointment-edit", kwargs={"pk": yp.pk, "appointment_pk": ap.pk}))
    open("/tmp/scratch/appointment-edit.html","w").write(r.content.decode())
    r = c.get(reverse("cases:record-archive", kwargs={"pk": yp.pk, "kind": "appointment", "record_pk": ap.pk}))
    open("/tmp/scratch/archive.html","w").write(r.content.decode())
    r = c.post(reverse("cases:offence-create", kwargs={"pk": yp.pk}), {"gravity": "abc", "committed_on": "32/13/2020"})
    open("/tmp/scratch/offence-post.html","w").write(r.content.decode())
    r = c.post(reverse("cases:trmassessment-create", kwargs={"pk": yp.pk}), {"assessed_on": "2020-01-01"})
    open("/tmp/scratch/trm-post.html","w").write(r.content.decode())
    r = c.post(reverse("cases:appointment-create", kwargs={"pk": yp.pk}), {"starts_at": "2020-01-01T10:00", "kind":"phone", "purpose":"x", "engagement":"3"})
    open("/tmp/scratch/appt-post.html","w").write(r.content.decode())
