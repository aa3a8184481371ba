"""Small-number suppression of an evaluation report, with complementary suppression.

A published table must not let anyone work out how many young people are behind a small
number. Hiding the small counts is not enough: a report that shows `consented 18 | 6 | ? | 8`
with 18 the total gives the hidden 4 by subtraction. So:

1. Primary suppression: every count from 1 to threshold − 1 is hidden.
2. Complementary suppression: more counts are hidden until no hidden count can be worked
   out from what is shown. What is shown is known to add up in these ways (`relations`):
   - the all-teams figure is the sum of the teams' figures (for every count, and for each
     category of a distribution of counts);
   - a distribution's categories add up to a count shown elsewhere in the same column
     (a measure's `adds_up_to`), and some counts are the same number under another name
     (`same_as`);
   - a mean of a distribution's total (`mean_of`): the mean needs per person times the
     cohort size is the number of needs, which is the sum of the need counts; hiding that
     mean hides the number.
   First, any relation with exactly one hidden count gets a second. Then an audit (`_Audit`)
   solves, as a reader would, for the smallest and largest whole number each hidden count
   can be given what is shown (zeros are never hidden, so a hidden count is at least 1),
   and where a count is pinned down, one more count in a relation it belongs to is hidden;
   until none is. Each extra count hidden is the smallest shown count of a team in that
   relation — the all-teams figures last.
3. A rate, mean, median or list is hidden where the number of young people it describes
   (the measure's `base`) is below the threshold or is itself hidden.

What each measure is and how it adds up with others is declared on the measure itself
(reports.measures.base.Measure); nothing here depends on a measure's id.

Every hidden value, primary or complementary, appears as `SUPPRESSED`: showing "<5" for
some would tell a reader which ones are small and undo part of the protection.
tests/reports/test_suppression.py attacks the result with its own solver and relations.
"""

from collections.abc import Iterable

import numpy
from scipy import optimize, sparse

from .measures import REGISTRY, in_design_order

#: How every suppressed value appears in the document (and so in every output).
SUPPRESSED = "suppressed"

OVERALL = ""  # the column of the all-teams figures

#: A count in the report: (column — a team code or OVERALL, measure id, category or None).
Cell = tuple[str, str, str | None]
#: parts, total: the parts add up to the total.
Relation = tuple[tuple[Cell, ...], Cell]


def base_of(measure_id: str) -> str | None:
    """The count of young people a measure's values describe (Measure.base)."""
    measure = REGISTRY.get(measure_id)
    return measure.base if measure else None


def _declared(attribute: str) -> list[tuple[str, str]]:
    """(measure id, the other measure) for every measure declaring `attribute`, in the
    report's order."""
    declared = []
    for measure_id in in_design_order(REGISTRY):
        other = getattr(REGISTRY[measure_id], attribute)
        if other is not None:
            declared.append((measure_id, other))
    return declared


def _is_count(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _columns(document: dict) -> dict[str, dict]:
    return {OVERALL: document["measures"], **document["by_team"]}


def count_cells(document: dict) -> dict[Cell, int]:
    """Every count in the report: count measures, and each category of a count distribution."""
    cells: dict[Cell, int] = {}
    for column, values in _columns(document).items():
        for measure_id, value in values.items():
            measure = REGISTRY.get(measure_id)
            if measure is None:
                continue
            if measure.kind == "count" and _is_count(value):
                cells[column, measure_id, None] = value
            elif measure.category_kind == "count" and isinstance(value, dict):
                for key, item in value.items():
                    if _is_count(item):
                        cells[column, measure_id, key] = item
    return cells


def relations(document: dict, cells: dict[Cell, int]) -> list[Relation]:
    """How the report's counts add up, as far as they truly do in this report.

    A category missing from a team's distribution is a zero everybody can see; relations
    are kept only where they hold, so a declared relation that does not is never relied on.
    """
    columns = _columns(document)
    teams = list(document["by_team"])
    candidates: list[Relation] = []
    rows = sorted({(measure_id, key) for _column, measure_id, key in cells})
    adds_up_to, same_as, means = (
        _declared(attribute) for attribute in ("adds_up_to", "same_as", "mean_of")
    )
    for measure_id, key in rows:
        if teams:
            candidates.append(
                (tuple((code, measure_id, key) for code in teams), (OVERALL, measure_id, key))
            )
    for column, values in columns.items():
        for measure_id, total_id in adds_up_to:
            if isinstance(values.get(measure_id), dict) and (column, total_id, None) in cells:
                parts = tuple((column, measure_id, key) for key in values[measure_id])
                candidates.append((parts, (column, total_id, None)))
        for measure_id, other_id in same_as:
            if (column, measure_id, None) in cells and (column, other_id, None) in cells:
                candidates.append((((column, measure_id, None),), (column, other_id, None)))
        for mean_id, distribution_id in means:
            if (column, mean_id, None) in cells:
                parts = tuple((column, distribution_id, key) for key in values[distribution_id])
                candidates.append((parts, (column, mean_id, None)))
    return [
        (parts, total)
        for parts, total in candidates
        if sum(cells.get(part, 0) for part in parts) == cells.get(total, 0)
    ]


def _members(relation: Relation) -> tuple[Cell, ...]:
    parts, total = relation
    return (*parts, total)


def _cost(cell: Cell, cells: dict[Cell, int]) -> tuple:
    """Which shown count to hide first: a team's before the all-teams figure, small first."""
    return (cell[0] == OVERALL, cells[cell], cell)


def _hide_one_more(members: Iterable[Cell], cells: dict[Cell, int], hidden: set[Cell]) -> bool:
    """Hide the cheapest shown count among `members` (zeros never); False if there is none."""
    candidates = [cell for cell in members if cell not in hidden and cells.get(cell)]
    if not candidates:
        return False
    hidden.add(min(candidates, key=lambda cell: _cost(cell, cells)))
    return True


def _gives_away(relation: Relation, hidden: set[Cell]) -> bool:
    """Whether a relation gives its one hidden count away by subtraction."""
    return sum(cell in hidden for cell in _members(relation)) == 1


class _Audit:
    """Which hidden counts a reader could pin down, found the way a reader would: by solving
    for the smallest and largest whole-number value each can take, given what is shown.

    A hidden count is safe once some solution other than the true one gives it a different
    value (a witness). Hiding more only frees the reader's unknowns further, so a count
    proved safe stays safe and only the rest are solved for again.
    """

    def __init__(self, cells: dict[Cell, int], all_relations: list[Relation], threshold: int):
        self.cells = cells
        self.relations = all_relations
        # Witnesses are looked for within a generous box; the reader has no upper bound.
        self.ceiling = 2 * max(cells.values(), default=0) + threshold
        self.safe: set[Cell] = set()

    def pinned(self, hidden: set[Cell]) -> list[Cell]:
        """The hidden counts a reader can work out exactly."""
        pinned = []
        for component, relations_in in _components(self.relations, hidden):
            if not self.safe.issuperset(component):
                pinned += self._pinned_in(component, relations_in)
        return pinned

    def _pinned_in(self, order: list[Cell], relations_in: list[Relation]) -> list[Cell]:
        """The same, within one group of linked hidden counts."""
        index = {cell: position for position, cell in enumerate(order)}
        rows, columns, coefficients, right = [], [], [], []
        for row, (parts, total) in enumerate(relations_in):
            constant = 0
            for cell, sign in [(part, 1) for part in parts] + [(total, -1)]:
                if cell in index:
                    rows.append(row)
                    columns.append(index[cell])
                    coefficients.append(sign)
                else:
                    constant -= sign * self.cells.get(cell, 0)
            right.append(constant)
        matrix = sparse.csr_array((coefficients, (rows, columns)), shape=(len(right), len(order)))
        truth = numpy.array([self.cells[cell] for cell in order], dtype=float)
        doubtful = [cell for cell in order if cell not in self.safe]

        def look_for_witness(objective):
            # A linear programme first (fast); its solution is a witness only if whole.
            for integrality in (None, numpy.ones(len(order))):
                solution = optimize.linprog(
                    objective,
                    A_eq=matrix if right else None,
                    b_eq=right or None,
                    bounds=(1, self.ceiling),
                    integrality=integrality,
                    method="highs",
                )
                if solution.status != 0:
                    return
                if numpy.allclose(solution.x, numpy.round(solution.x), atol=1e-6):
                    break
            moved = numpy.abs(solution.x - truth) >= 0.5
            self.safe.update(cell for cell, differs in zip(order, moved, strict=True) if differs)

        # First away from the truth for every doubtful count at once, then one by one.
        for sign in (1, -1):
            objective = numpy.zeros(len(order))
            for cell in doubtful:
                if cell not in self.safe:
                    objective[index[cell]] = sign if self.cells[cell] > 1 else -sign
            if objective.any():
                look_for_witness(objective)
        for cell in doubtful:
            for sign in (1, -1):
                if cell not in self.safe:
                    objective = numpy.zeros(len(order))
                    objective[index[cell]] = sign
                    look_for_witness(objective)
        return [cell for cell in doubtful if cell not in self.safe]


def _components(all_relations: list[Relation], hidden: set[Cell]):
    """Groups of hidden counts linked by relations, each with the relations it is in: a
    reader solves each group on its own."""
    leader = {cell: cell for cell in hidden}

    def find(cell):
        while leader[cell] != cell:
            leader[cell] = leader[leader[cell]]
            cell = leader[cell]
        return cell

    touching = []
    for relation in all_relations:
        members = [cell for cell in _members(relation) if cell in hidden]
        if members:
            touching.append((relation, members[0]))
            for cell in members[1:]:
                leader[find(cell)] = find(members[0])
    groups: dict[Cell, list[Cell]] = {}
    for cell in sorted(hidden):
        groups.setdefault(find(cell), []).append(cell)
    relations_of: dict[Cell, list[Relation]] = {}
    for relation, member in touching:
        relations_of.setdefault(find(member), []).append(relation)
    for root, cells in groups.items():
        yield cells, relations_of.get(root, [])


def _with_means(document: dict, cells: dict[Cell, int]) -> dict[Cell, int]:
    """The counts, with the total of each distribution a mean describes (Measure.mean_of,
    such as the number of needs behind the mean needs per person) as a count shown by that
    mean: hiding the mean hides the total."""
    means = _declared("mean_of")
    for column, values in _columns(document).items():
        for mean_id, distribution_id in means:
            distribution = values.get(distribution_id)
            if isinstance(distribution, dict) and isinstance(values.get(mean_id), int | float):
                cells[column, mean_id, None] = sum(
                    item for item in distribution.values() if _is_count(item)
                )
    return cells


def hidden_counts(document: dict, threshold: int) -> set[Cell]:
    """The counts to hide: the small ones, and enough others that none can be worked out."""
    counts = count_cells(document)
    hidden = {cell for cell, value in counts.items() if 0 < value < threshold}
    cells = _with_means(document, counts)
    all_relations = relations(document, cells)
    audit = _Audit(cells, all_relations, threshold)
    while True:
        hid_more = False
        for relation in all_relations:
            if _gives_away(relation, hidden):
                hid_more |= _hide_one_more(_members(relation), cells, hidden)
        if hid_more:
            continue
        pinned = set(audit.pinned(hidden))
        widened: set[Cell] = set()
        for relation in all_relations:
            members = set(_members(relation))
            if pinned & (members - widened) and _hide_one_more(members, cells, hidden):
                hid_more = True
                widened |= members
        if pinned and not hid_more:
            # Everything shown in the pinned counts' own relations is zero: look further
            # along the relations linking them to other hidden counts.
            for component, relations_in in _components(all_relations, hidden):
                if pinned.intersection(component):
                    around = (cell for relation in relations_in for cell in _members(relation))
                    hid_more |= _hide_one_more(around, cells, hidden)
        if not hid_more:
            return hidden


def _suppressed_column(column: str, values: dict, hidden: set[Cell], threshold: int) -> dict:
    def described_by_few(measure_id):
        base_id = base_of(measure_id)
        if base_id is None:
            return False
        base = values.get(base_id)
        return (column, base_id, None) in hidden or (_is_count(base) and base < threshold)

    shown = {}
    for measure_id, value in values.items():
        measure = REGISTRY.get(measure_id)
        few = described_by_few(measure_id)
        if value is None:
            shown[measure_id] = None
        elif isinstance(value, dict):
            shown[measure_id] = {
                key: (
                    (SUPPRESSED if (column, measure_id, key) in hidden else item)
                    if _is_count(item)
                    else (SUPPRESSED if few and item is not None else item)
                )
                for key, item in value.items()
            }
        elif isinstance(value, list):
            shown[measure_id] = SUPPRESSED if few and value else value
        elif measure is not None and measure.kind == "count":
            shown[measure_id] = SUPPRESSED if (column, measure_id, None) in hidden else value
        else:  # a rate, mean or median
            hide = few or (column, measure_id, None) in hidden
            shown[measure_id] = SUPPRESSED if hide else value
    return shown


def suppress(document: dict, threshold: int) -> dict:
    """The document as it may be published: see the module's docstring."""
    hidden = hidden_counts(document, threshold)
    return {
        "parameters": document["parameters"],
        "measures": _suppressed_column(OVERALL, document["measures"], hidden, threshold),
        "by_team": {
            code: _suppressed_column(code, values, hidden, threshold)
            for code, values in document["by_team"].items()
        },
    }


def hidden_in(document: dict) -> Iterable[Cell]:
    """The counts a published document hides (for tests and the benchmark)."""
    for column, values in _columns(document).items():
        for measure_id, value in values.items():
            if value == SUPPRESSED:
                yield column, measure_id, None
            elif isinstance(value, dict):
                for key, item in value.items():
                    if item == SUPPRESSED:
                        yield column, measure_id, key
