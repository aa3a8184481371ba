"""Scale data for a national roll-out (DESIGN.md section 9): teams, staff and young people.

`generate(...)` (the `seed_scale` command) builds realistic, internally consistent case
records for many teams and young people, fast enough for 100,000 young people and millions
of appointments:

* **Rows are built in memory and written in bulk.** Every random choice comes from a seeded
  `random.Random` (one per young person, so a person's records never depend on who else is
  generated). Rows go to the database with `bulk_create` in batches, and on PostgreSQL the
  tables that need no ids back (appointments, needs, offences, consents, ...) go through
  `COPY ... FROM STDIN`, PostgreSQL's own bulk-load path. There are no per-row queries: the
  number of queries grows with batches and teams, not with young people.
* **No history rows, no case events.** The records are generated, not edits made by people,
  so they carry no django-simple-history entries and no `CaseEvent`s; `bulk_create` and
  `COPY` skip both (the screens read the records themselves). They skip model signals too,
  so the run computes the stored case summaries (`cases.summary`) of all its young people at
  the end, once PostgreSQL has fresh statistics (`ANALYZE`): computed batch by batch as the
  tables grew, with statistics that still said the tables were empty (autovacuum off or
  behind), each batch took longer than the one before.
* **Same rules as the services.** The generator decides each young person's pathway first
  (started or not, and why not) and then makes records that fit it and every rule the
  services enforce. Where it decides by a rule it asks the rule's one home, as the services
  do (`cases.rules` for whose consent is required and whether it is given and for an
  appointment that has not begun, `formulation.rules` for a meeting not yet held,
  `eligibility.rules` for the criteria); the rest it keeps by construction, and
  `tests/seed/test_seed_scale.py` puts every record of a run to the same rule functions:
  ages 10 to 17 at referral; needs recorded by the referral date; gravity 1 to 8; orders and
  custody that end on or after they start; consent dated on or after the referral and a
  withdrawal always with what was said; an eligibility decision computed with
  `eligibility.rules.evaluate` under the policy in force on the referral date (an override
  by the team manager where a started case did not meet the criteria); ECM started only with
  a final eligible decision and participation consent given (the parent's or carer's too
  when required); an end on or after the start, with a reason; appointments after the start,
  attendance only once they have happened and engagement only when attended; formulations
  only for held meetings; supervision only of the practitioner's own cases in their team.
* **Deterministic and idempotent.** References are ``SCALE-<seed>-<n>``; the same seed builds
  the same people. Running again with the same arguments adds nothing: existing teams,
  staff, young people (by reference) and supervision sessions (by reference) are skipped,
  and only what is missing is added (so a larger ``young_people`` adds the new ones only).
* **Staff cannot sign in.** Practitioners (about one per 15 young people in a team), one or
  two managers per team and psychologists each serving three teams are active members with
  an unusable password: an administrator must set a password (or a test force a login).

The package, one module per concern: `vocabulary` (the weighted choices), `generator` (what
the builders share), `staff` (teams and staff), `young_people` (one person's pathway and
records, calling `case_records`, `decisions`, `consents`, `formulation` and `appointments`),
`supervision`, `writing` (COPY or `bulk_create`), `progress` (what the command shows) and
`generate` (the run).
"""

from seed.scale.generate import generate, team_assignment
from seed.scale.progress import Progress, Result, write_summary
from seed.scale.writing import DEFAULT_BATCH_SIZE, DEFAULT_PEOPLE_PER_TRANSACTION

__all__ = [
    "DEFAULT_BATCH_SIZE",
    "DEFAULT_PEOPLE_PER_TRANSACTION",
    "Progress",
    "Result",
    "generate",
    "team_assignment",
    "write_summary",
]
