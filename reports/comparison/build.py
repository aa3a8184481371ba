"""The comparison report (issue 16, "Attribution"): the ECM cohort against eligible
referrals who did not start ECM, matched on what was recorded at the index date, with a
difference-in-differences on offences, their seriousness and breaches.

Who is in it, from the young people referred in the report's period and teams:
* the ECM cohort: those with an ECM start date whose follow-up months have all passed by the
  as-of date (the outcome measures' follow-up cohort); index date: the ECM start;
* the comparison group: those with no ECM start whose latest eligibility decision found them
  eligible (a manager's override counts), made early enough for its follow-up months to have
  passed; index date: that decision's date.
The windows are the outcome measures' (reports.measures.outcomes): before, the follow-up
months up to the day before the index date; after, the index date to the index date plus
the follow-up months, both inclusive. The factors matched on are those at the index date:
age, gender, need categories recorded by then, and offences and their highest gravity in
the 12 months before it.

Young people referred before ECM started in their team cannot be a second comparison group:
the records do not say when a team started ECM. The document says so.

Reading is one query whatever the number of young people: the index date and windows of
each young person, and their offences, breaches and needs counted in those windows, grouped
by young person in the database (as reports.facts does for the measures); the matching and
the estimates are numpy (reports.comparison.maths). None of those counts depends on the
as-of date (it decides only who is in), so at the default follow-up months they are kept for
every young person (`reports.ComparisonFacts`, worked out by the same query with no cut-off)
and a run reads them there.
"""

from collections.abc import Iterator
from datetime import date

import numpy
from django.db import connection, transaction
from django.db.models import Case, DateField, F, IntegerField, Q, QuerySet, Value, When
from django.db.models.expressions import RawSQL

from cases.models import Breach, Need, Offence, YoungPerson
from eligibility.models import EligibilityDecision

from .. import facts
from ..facts import NEWEST_FIRST, in_batches, rank
from ..facts import _run_settings as run_settings
from ..models import ComparisonFacts
from ..scope import AddMonths, AgeInYears, Scope
from ..suppression import SUPPRESSED
from . import maths

CONFIDENCE = 0.95

#: The bands each factor is coarsened into for matching (lower edges of bands after the first).
BANDS = {
    "age": (14, 16, 18),
    "needs": (2, 4, 6),
    "offences_12m": (1, 3, 6, 10),
    "gravity_12m": (1, 3, 5),
}
#: The outcomes compared, in the order they are shown.
OUTCOMES = ("offences", "gravity", "breaches")
#: The factors of the balance table, in the order they are shown (gender as a share each).
GENDERS = ("female", "male", "other", "not_stated")
FACTORS = (
    "age",
    *(f"gender_{gender}" for gender in GENDERS),
    "needs",
    "offences_12m",
    "gravity_12m",
)


#: The follow-up months whose comparison facts every young person has stored
#: (`reports.ComparisonFacts`, kept by `cases.summary`): a report's default. A run with
#: these months reads them; a run with other months works its own out from the records.
STORED_FOLLOW_UP_MONTHS = facts.STORED_FOLLOW_UP_MONTHS

#: What `ComparisonFacts` stores of a young person, after the index date.
STORED = (
    "needs",
    "offences_12m",
    "gravity_12m",
    "offences_before",
    "offences_after",
    "gravity_before",
    "gravity_after",
    "breaches_before",
    "breaches_after",
)
#: What each young person's row holds, in order.
COLUMNS = ("in_ecm", "gender", "age", *STORED)


def _gender_code() -> Case:
    return Case(
        *(When(gender=code, then=Value(index)) for index, code in enumerate(GENDERS)),
        default=Value(len(GENDERS) - 1),
        output_field=IntegerField(),
    )


def _people_sql(people: QuerySet) -> tuple[str, list]:
    """These young people, with their gender as a number."""
    rows = people.order_by().values(
        "id", "date_of_birth", "ecm_start_date", gender_code=_gender_code()
    )
    sql, params = rows.query.sql_with_params()
    return sql, list(params)


def _decisions_sql(whose: Q) -> tuple[str, list]:
    """The eligibility decisions of the young people `whose` picks (a condition through
    "young_person__"), with the result that counts (a manager's override, if any) and their
    rank, 1 for each one's latest (as reports.facts.eligibility_rows)."""
    rows = (
        EligibilityDecision.objects.filter(whose)
        .order_by()
        .values(
            "decided_on",
            person=F("young_person_id"),
            final=Case(
                When(eligibility_override__eligible=True, then=Value(1)),
                When(eligibility_override__eligible=False, then=Value(0)),
                When(eligible=True, then=Value(1)),
                default=Value(0),
                output_field=IntegerField(),
            ),
            latest_rank=rank([F("young_person_id")], NEWEST_FIRST),
        )
    )
    sql, params = rows.query.sql_with_params()
    return sql, list(params)


def _events_sql(model, whose: Q, date_field: str, *fields) -> tuple[str, list]:
    """The model's current records of the young people `whose` picks, with `person` and
    `dated` columns, then `fields`."""
    rows = (
        model.objects.filter(whose, archived_at__isnull=True)
        .order_by()
        .values(*fields, person=F("young_person_id"), dated=F(date_field))
    )
    sql, params = rows.query.sql_with_params()
    return sql, list(params)


def _compiled(expression) -> tuple[str, list]:
    """An expression over the columns of the query below, as this database writes it."""
    compiler = EligibilityDecision.objects.none().query.get_compiler(connection=connection)
    sql, params = compiler.compile(expression)
    return sql, list(params)


def _column(name: str, field):
    """A column of the query below, by its fixed name (never input)."""
    return RawSQL(name, (), output_field=field)  # noqa: S611 - a fixed column name


def counted_query(people: QuerySet, whose: Q, *, months: int, cutoff: date) -> tuple[str, list]:
    """One row per young person of `people` (`whose`: the same young people, as a condition
    through "young_person__") with an index date on or before `cutoff`: `person`, `in_ecm`,
    `gender`, `index_on`, `age` and the STORED columns. The index date and its windows are
    worked out once per young person, then each table's records are counted in them,
    grouped by young person, in the database."""
    index = _column("chosen.index_on", DateField())
    people_sql, people_params = _people_sql(people)
    decisions, decisions_params = _decisions_sql(whose)
    offences, offences_params = _events_sql(Offence, whose, "committed_on", "gravity")
    breaches, breaches_params = _events_sql(Breach, whose, "breach_date")
    needs, needs_params = _events_sql(Need, whose, "recorded_on", "category_id")
    bounds = {
        "before_from": _compiled(AddMonths(index, -months)),
        "after_to": _compiled(AddMonths(index, months)),
        "year_before": _compiled(AddMonths(index, -12)),
        "age": _compiled(AgeInYears(_column("chosen.date_of_birth", DateField()), index)),
    }
    before = "e.dated >= w.before_from AND e.dated < w.index_on"
    after = "e.dated >= w.index_on AND e.dated <= w.after_to"
    last_year = "e.dated >= w.year_before AND e.dated < w.index_on"
    # Only the ORM's compiled SQL and fixed text go into the statement; values are parameters.
    sql = f"""
    WITH people AS ({people_sql}),
    latest AS (SELECT person, decided_on, final FROM ({decisions}) d WHERE d.latest_rank = 1),
    chosen AS (
        SELECT people.id, people.gender_code, people.date_of_birth,
            CASE WHEN people.ecm_start_date <= %s THEN 1 ELSE 0 END AS in_ecm,
            CASE WHEN people.ecm_start_date <= %s THEN people.ecm_start_date
                WHEN people.ecm_start_date IS NULL AND latest.final = 1
                    AND latest.decided_on <= %s
                THEN latest.decided_on END AS index_on
        FROM people LEFT JOIN latest ON latest.person = people.id
    ),
    w AS (
        SELECT chosen.id, chosen.in_ecm, chosen.gender_code, chosen.index_on,
            {", ".join(f"{sql} AS {name}" for name, (sql, _) in bounds.items())}
        FROM chosen WHERE chosen.index_on IS NOT NULL
    ),
    offence_facts AS (
        SELECT w.id AS person,
            COUNT(*) FILTER (WHERE {before}) AS offences_before,
            COUNT(*) FILTER (WHERE {after}) AS offences_after,
            COUNT(*) FILTER (WHERE {last_year}) AS offences_12m,
            MAX(e.gravity) FILTER (WHERE {before}) AS gravity_before,
            MAX(e.gravity) FILTER (WHERE {after}) AS gravity_after,
            MAX(e.gravity) FILTER (WHERE {last_year}) AS gravity_12m
        FROM w JOIN ({offences}) e ON e.person = w.id GROUP BY w.id
    ),
    breach_facts AS (
        SELECT w.id AS person,
            COUNT(*) FILTER (WHERE {before}) AS breaches_before,
            COUNT(*) FILTER (WHERE {after}) AS breaches_after
        FROM w JOIN ({breaches}) e ON e.person = w.id GROUP BY w.id
    ),
    need_facts AS (
        SELECT w.id AS person, COUNT(DISTINCT e.category_id) AS needs
        FROM w JOIN ({needs}) e ON e.person = w.id AND e.dated <= w.index_on GROUP BY w.id
    )
    SELECT w.id AS person, w.in_ecm, w.gender_code AS gender, w.index_on, w.age,
        COALESCE(n.needs, 0) AS needs,
        COALESCE(o.offences_12m, 0) AS offences_12m, COALESCE(o.gravity_12m, 0) AS gravity_12m,
        COALESCE(o.offences_before, 0) AS offences_before,
        COALESCE(o.offences_after, 0) AS offences_after,
        COALESCE(o.gravity_before, 0) AS gravity_before,
        COALESCE(o.gravity_after, 0) AS gravity_after,
        COALESCE(b.breaches_before, 0) AS breaches_before,
        COALESCE(b.breaches_after, 0) AS breaches_after
    FROM w
    LEFT JOIN offence_facts o ON o.person = w.id
    LEFT JOIN breach_facts b ON b.person = w.id
    LEFT JOIN need_facts n ON n.person = w.id
    """  # noqa: S608
    cutoff_value = connection.ops.adapt_datefield_value(cutoff)
    params = [
        *people_params,
        *decisions_params,
        cutoff_value,
        cutoff_value,
        cutoff_value,
        *(param for _, (_, each) in bounds.items() for param in each),
        *offences_params,
        *breaches_params,
        *needs_params,
    ]
    return sql, params


def _stored_query(scope: Scope) -> tuple[str, list]:
    """COLUMNS of the young people referred in the scope whose stored index date is on or
    before the run's cut-off, from `ComparisonFacts` (the age at the index date from their
    date of birth as it is now)."""
    quote = connection.ops.quote_name
    people_sql, people_params = _people_sql(scope.referrals())
    age, age_params = _compiled(
        AgeInYears(
            _column("people.date_of_birth", DateField()), _column("stored.index_on", DateField())
        )
    )
    stored = ", ".join(f"stored.{quote(name)}" for name in STORED)
    sql = f"""
    SELECT CASE WHEN people.ecm_start_date IS NULL THEN 0 ELSE 1 END, people.gender_code,
        {age}, {stored}
    FROM ({people_sql}) AS people
    JOIN {quote(ComparisonFacts._meta.db_table)} AS stored
        ON stored.young_person_id = people.id
    WHERE stored.index_on <= %s
    ORDER BY people.id
    """  # noqa: S608 - the ORM's compiled SQL and fixed names only
    cutoff = connection.ops.adapt_datefield_value(scope.followup_cutoff)
    return sql, [*people_params, *age_params, cutoff]


def comparison_query(scope: Scope) -> tuple[str, list]:
    """One row per young person in either group (COLUMNS), ordered by young person: read
    from `ComparisonFacts` at the stored follow-up months, otherwise worked out from the
    records (`counted_query`)."""
    if scope.follow_up_months == STORED_FOLLOW_UP_MONTHS:
        return _stored_query(scope)
    sql, params = counted_query(
        scope.referrals(),
        scope.referral_filter("young_person__"),
        months=scope.follow_up_months,
        cutoff=scope.followup_cutoff,
    )
    selected = ", ".join(f"counted.{name}" for name in COLUMNS)
    # Only fixed column names around the compiled statement.
    return f"SELECT {selected} FROM ({sql}) AS counted ORDER BY counted.person", params  # noqa: S608


def stored_comparison_facts(young_person_ids: list[int] | None) -> Iterator[tuple[int, dict]]:
    """`ComparisonFacts` for these young people (None: every one), in id order: their index
    date with no cut-off, and what `counted_query` counts around it at the stored follow-up
    months (`cases.summary` stores these)."""
    for chunk in in_batches(young_person_ids):
        sql, params = counted_query(
            YoungPerson._base_manager.filter(pk__in=chunk),
            Q(young_person_id__in=chunk),
            months=STORED_FOLLOW_UP_MONTHS,
            cutoff=date.max,
        )
        names = ", ".join(f"counted.{name}" for name in ("index_on", *STORED))
        select = f"SELECT counted.person AS young_person_id, {names} FROM ({sql}) AS counted"  # noqa: S608
        # A raw query through the model, so the dates come back as Python values.
        found = {
            row.young_person_id: {name: getattr(row, name) for name in ("index_on", *STORED)}
            for row in ComparisonFacts.objects.raw(select, params)
        }
        none = {"index_on": None, **dict.fromkeys(STORED, 0)}
        for pk in chunk:
            yield pk, found.get(pk, none)


def comparison_arrays(scope: Scope) -> dict[str, numpy.ndarray]:
    """Per young person in either group (one query): whether in the ECM cohort, the factors
    at the index date and the outcomes in each window, a numpy array each."""
    sql, params = comparison_query(scope)
    # Without JIT compilation, which for this one-off statement takes longer than running it
    # (as for the facts).
    with transaction.atomic(), connection.cursor() as cursor, run_settings(cursor):
        cursor.execute(sql, params)
        table = numpy.array(cursor.fetchall(), dtype=numpy.int64).reshape(-1, len(COLUMNS))
    arrays = dict(zip(COLUMNS, table.T, strict=True))
    arrays["in_ecm"] = arrays["in_ecm"] == 1
    return arrays


def _factor_values(arrays: dict) -> dict[str, numpy.ndarray]:
    """Each factor of the balance table per young person (a gender as 1 or 0)."""
    values = {f"gender_{gender}": arrays["gender"] == index for index, gender in enumerate(GENDERS)}
    return {name: values.get(name, arrays.get(name)).astype(float) for name in FACTORS}


def _rounded(value, places=3):
    """To `places` decimals; never -0 (adding 0.0 turns -0.0 into 0.0)."""
    return None if value is None else round(float(value), places) + 0.0


def _balance(arrays: dict, matching: maths.Matching) -> list[dict]:
    treated = arrays["in_ecm"]
    everyone = numpy.ones(len(treated))
    rows = []
    for factor, values in _factor_values(arrays).items():
        scale = maths.pooled_sd(values, treated)
        sides = {}
        for side, weights in (("before", everyone), ("after", matching.weights)):
            ecm, comparison, difference = maths.standardised_mean_difference(
                values, treated, weights, scale
            )
            sides[side] = {
                "ecm": _rounded(ecm),
                "comparison": _rounded(comparison),
                "smd": _rounded(difference),
            }
        rows.append({"factor": factor, **sides})
    return rows


def _estimates(arrays: dict, matching: maths.Matching) -> list[dict]:
    treated = arrays["in_ecm"]
    rows = []
    for outcome in OUTCOMES:
        before, after = arrays[f"{outcome}_before"], arrays[f"{outcome}_after"]
        result = maths.difference_in_differences(
            before, after, treated, matching.weights, confidence=CONFIDENCE
        )
        means = {
            f"{group}_{window}": _rounded(maths.weighted_mean(values[mask], matching.weights[mask]))
            for group, mask in (("ecm", treated), ("comparison", ~treated))
            for window, values in (("before", before), ("after", after))
        }
        rows.append(
            {
                "outcome": outcome,
                **means,
                "estimate": _rounded(result and result.estimate),
                "low": _rounded(result and result.low),
                "high": _rounded(result and result.high),
            }
        )
    return rows


def comparison_document(scope: Scope, *, threshold: int | None = None) -> dict:
    """The comparison as the report's JSON holds it (under "comparison"). With `threshold`
    (suppression on), a group of fewer young people than that hides its size and every
    figure worked out from it."""
    arrays = comparison_arrays(scope)
    treated = arrays["in_ecm"]
    coarsened = numpy.column_stack(
        [maths.bands(arrays[name], edges) for name, edges in BANDS.items()] + [arrays["gender"]]
    )
    matching = maths.coarsened_exact_matching(treated, coarsened)
    sizes = {
        "ecm": {
            "before_matching": int(treated.sum()),
            "matched": int((matching.matched & treated).sum()),
        },
        "comparison": {
            "before_matching": int((~treated).sum()),
            "matched": int((matching.matched & ~treated).sum()),
        },
    }
    counts = [count for group in sizes.values() for count in group.values()]
    # As for the measures, counts from 1 to the threshold − 1 are hidden; zeros never are.
    too_small = threshold is not None and any(0 < count < threshold for count in counts)
    document = {
        "method": "coarsened_exact_matching",
        "follow_up_months": scope.follow_up_months,
        "confidence": CONFIDENCE,
        "referred_before_ecm": "not_recorded",
        "strata_matched": matching.strata,
        "groups": sizes,
        "balance": _balance(arrays, matching),
        "estimates": _estimates(arrays, matching),
        "status": "shown",
    }
    if too_small:
        document.update(
            status=SUPPRESSED,
            strata_matched=SUPPRESSED,
            groups={
                group: {
                    key: SUPPRESSED if 0 < count < threshold else count
                    for key, count in each.items()
                }
                for group, each in sizes.items()
            },
            balance=[],
            estimates=[],
        )
    elif threshold is not None:
        for each in document["groups"].values():
            if 0 < each["before_matching"] - each["matched"] < threshold:
                # The number left unmatched would be a small count worked out by subtraction.
                each["matched"] = SUPPRESSED
    if document["status"] == "shown" and any(
        row["estimate"] is None for row in document["estimates"]
    ):
        document["status"] = "too_few"
    return document


def comparison_for_run(scope: Scope, parameters: dict) -> dict:
    """The comparison for a report run with these parameters (its suppression setting)."""
    threshold = parameters.get("suppression_threshold") if parameters.get("suppression") else None
    return comparison_document(scope, threshold=threshold)
