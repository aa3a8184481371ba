"""The run: reference data, teams and staff, then young people a transaction at a time, each
team's supervision after its last young person, and the stored case summaries at the end."""

import random
import time
from collections import defaultdict

from django.conf import settings
from django.db import connection, transaction
from django.utils import translation

from cases.models import YoungPerson
from seed.scale import staff as staffing
from seed.scale import supervision
from seed.scale.generator import Generator
from seed.scale.progress import Progress, Result
from seed.scale.vocabulary import reference
from seed.scale.writing import (
    DEFAULT_BATCH_SIZE,
    DEFAULT_PEOPLE_PER_TRANSACTION,
    LEAVES,
    Table,
    Writer,
)
from seed.scale.writing import (
    tables as table_layouts,
)
from seed.scale.young_people import PersonRecords, young_person_records
from supervision.models import SupervisionSession


def team_assignment(seed: int, teams: int, young_people: int) -> list[int]:
    """The team (1-based) of young people 1..N: uneven sizes, the same prefix for any N."""
    rng = random.Random(f"{seed}:teams:{teams}")  # noqa: S311 - reproducible fiction
    weights = [rng.uniform(0.4, 1.6) for _ in range(teams)]
    return rng.choices(range(1, teams + 1), weights=weights, k=young_people)


def generate(
    *,
    teams: int,
    young_people: int,
    seed: int = 1,
    appointments_per_person: int = 40,
    batch_size: int = DEFAULT_BATCH_SIZE,
    people_per_transaction: int = DEFAULT_PEOPLE_PER_TRANSACTION,
    method: str = "auto",
    progress: Progress | None = None,
) -> Result:
    """Add the scale data that is missing (see the module docstring); returns what was done.

    One transaction per `people_per_transaction` young people (taken team by team); rows are
    written `batch_size` at a time. `method` is ``copy`` (PostgreSQL only), ``bulk_create``
    or ``auto`` (COPY on PostgreSQL, else `bulk_create`).
    """
    if teams < 1 or young_people < 0 or batch_size < 1 or people_per_transaction < 1:
        raise ValueError("teams, batch size and people per transaction must be positive")
    started = time.perf_counter()
    writer = Writer(batch_size=batch_size, method=method)
    generator = Generator(seed=seed, appointments_per_person=appointments_per_person, writer=writer)
    result = Result(method=writer.method)
    tables = table_layouts()
    team_objects, staff, per_team = _teams_and_staff(generator, result, teams, young_people)

    # Young people team by team, so each team's supervision follows its last young person.
    queue = [
        (team_index, position, number)
        for team_index in sorted(per_team)
        for position, number in enumerate(per_team[team_index])
    ]
    last_of_team = {team_index: numbers[-1] for team_index, numbers in per_team.items()}
    to_summarise: list[int] = []
    done = 0
    if progress:
        progress.update(0, 0)
    for chunk_start in range(0, len(queue), people_per_transaction):
        chunk = queue[chunk_start : chunk_start + people_per_transaction]
        with transaction.atomic():
            if connection.vendor == "postgresql":
                # Check foreign keys as each batch lands, not all at commit, so the time of
                # each table includes its checks (the parents are always written first).
                with connection.cursor() as cursor:
                    cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            to_summarise.extend(
                _add_young_people(generator, tables, team_objects, staff, chunk, result)
            )
            finished = [t for t, _p, n in chunk if last_of_team[t] == n]
            if finished:
                _add_supervision(generator, tables, team_objects, staff, finished)
        done += len(chunk)
        if progress:
            progress.update(done, generator.appointments)
    if progress:
        progress.finish()
    if connection.vendor == "postgresql" and result.young_people_created:
        writer.analyse()
    writer.summarise(to_summarise)
    result.tables = {label: tuple(entry) for label, entry in writer.stats.items()}
    result.seconds = time.perf_counter() - started
    return result


def _teams_and_staff(generator, result: Result, teams: int, young_people: int):
    """Reference data, teams and staff, in one transaction; returns the teams and staff by
    team index, and the numbers of the young people of each team."""
    with translation.override(settings.LANGUAGE_CODE), transaction.atomic():
        generator.load_reference_data()
        team_objects, result.teams_created = staffing.ensure_teams(generator, teams)
        assignment = team_assignment(generator.seed, teams, young_people)
        per_team: dict[int, list[int]] = defaultdict(list)
        for number, team_index in enumerate(assignment, start=1):
            per_team[team_index].append(number)
        staff, result.staff_created = staffing.ensure_staff(
            generator, team_objects, {index: len(numbers) for index, numbers in per_team.items()}
        )
    return team_objects, staff, per_team


def _add_young_people(generator, tables, team_objects, staff, chunk, result: Result) -> list:
    """Build and write the young people of `chunk` that are not there yet; returns the ids of
    all of them, to summarise (a run stopped part-way left its young people unsummarised)."""
    refs = {number: reference(generator.seed, number) for _team, _pos, number in chunk}
    existing = dict(
        YoungPerson.objects.filter(reference__in=refs.values()).values_list("reference", "pk")
    )
    people = []
    for team_index, position, number in chunk:
        if refs[number] in existing:
            continue
        team_staff = staff[team_index]
        practitioner = team_staff.practitioners[position % len(team_staff.practitioners)][0]
        people.append(
            young_person_records(
                generator, number, team_objects[team_index], practitioner, team_staff
            )
        )
    _write_people(generator.writer, tables, people, generator)
    result.young_people_created += len(people)
    result.young_people_skipped += len(chunk) - len(people)
    return [*existing.values(), *(entry.person.pk for entry in people)]


def _add_supervision(generator, tables, team_objects, staff, finished: list[int]) -> None:
    """The supervision sessions of the teams whose last young person has been written."""
    refs_done = set(
        SupervisionSession.objects.filter(
            team__in=[team_objects[t] for t in finished],
            session_ref__startswith=f"SCALE-{generator.seed}-",
        ).values_list("session_ref", flat=True)
    )
    rows = defaultdict(list)
    for team_index in finished:
        supervision.sessions(
            generator, staff[team_index], team_objects[team_index], refs_done, rows
        )
    generator.writer.create(rows["session"])
    generator.writer.insert(tables["discussed"], rows["discussed"])
    generator.writer.insert(tables["supervision_action"], rows["supervision_action"])


def _write_people(
    writer: Writer,
    tables: dict[str, Table],
    people: list[PersonRecords],
    generator,
):
    """Write one transaction's young people: parents first (their keys come back), then rows."""
    if not people:
        return
    writer.create([entry.person for entry in people])
    for kind in ("order", "decision", "meeting", "formulation"):
        writer.create([obj for entry in people for obj in entry.rows.get(kind, ())])
    for kind in LEAVES:
        writer.insert(tables[kind], [row for entry in people for row in entry.rows.get(kind, ())])
    for entry in people:
        person = entry.person
        if person.ecm_start_date:
            generator.caseloads[person.practitioner_id].append(
                (person.pk, person.ecm_start_date, person.ecm_end_date)
            )
