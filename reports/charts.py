"""Server-side charts for the evaluation report: matplotlib SVG, each with its data table.

The SVG is placed inline in the report page and in its PDF/HTML exports. The page's content
security policy refuses inline styles, and matplotlib writes its colours as `style="..."`
attributes, so `_clean_svg` turns each declaration into the equivalent SVG presentation
attribute (`fill="#1d70b8"`), which the policy allows and every renderer understands.

A chart never stands alone: its `table` holds the same numbers (with suppressed values shown
as they are in the tables, e.g. "<5"), for screen readers and for anyone who prefers figures.
"""

import io
import re
from dataclasses import dataclass

import matplotlib
from django.utils.translation import gettext as _
from matplotlib.figure import Figure  # no pyplot: no global state, safe in any thread
from matplotlib.ticker import MaxNLocator

from .measures import REGISTRY
from .suppression import SUPPRESSED

#: GOV.UK colours: blue and dark blue (dark grey for text).
BLUE, DARK_BLUE, TEXT = "#1d70b8", "#003078", "#0b0c0c"
RC = {
    "svg.fonttype": "none",  # text stays text: selectable, translatable, scalable
    "font.family": "sans-serif",
    "font.sans-serif": ["Arial", "Liberation Sans", "DejaVu Sans"],
    "font.size": 10,
    "axes.edgecolor": TEXT,
    "axes.labelcolor": TEXT,
    "xtick.color": TEXT,
    "ytick.color": TEXT,
    "text.color": TEXT,
}


@dataclass(frozen=True)
class Chart:
    id: str
    title: str
    svg: str
    caption: str
    head: list[str]
    rows: list[list[str]]


def _number(value) -> float:
    """What to draw for a value: suppressed ("<5") and missing values draw as nothing."""
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else 0.0


def _shown(value) -> str:
    if value is None:
        return _("No data")
    if value == SUPPRESSED:
        return _("Suppressed")
    return str(value)


_STYLE = re.compile(r'\sstyle="([^"]*)"')


def _attributes(match) -> str:
    declarations = []
    for declaration in match.group(1).split(";"):
        name, _colon, value = declaration.partition(":")
        name, value = name.strip(), value.strip()
        if name and value:
            declarations.append(f' {name}="{value.replace(chr(34), chr(39))}"')
    return "".join(declarations)


def _clean_svg(svg: str, *, chart_id: str, title: str) -> str:
    """Inline-ready SVG: no prolog, metadata or style sheet; styles as attributes; a title."""
    svg = svg[svg.index("<svg") :]
    svg = re.sub(r"<metadata>.*?</metadata>", "", svg, flags=re.DOTALL)
    svg = re.sub(r"<style[^>]*>.*?</style>", "", svg, flags=re.DOTALL)
    svg = _STYLE.sub(_attributes, svg)
    # Element ids repeat from chart to chart ("patch_1"): make them unique on the page.
    svg = re.sub(r'\bid="([^"]+)"', rf'id="chart-{chart_id}-\1"', svg)
    svg = re.sub(r"url\(#([^)]+)\)", rf"url(#chart-{chart_id}-\1)", svg)
    svg = re.sub(r'href="#([^"]+)"', rf'href="#chart-{chart_id}-\1"', svg)
    title_id = f"chart-{chart_id}-title"
    svg = svg.replace(
        "<svg ",
        f'<svg role="img" aria-labelledby="{title_id}" focusable="false" '
        'stroke-linejoin="round" stroke-linecap="butt" ',
        1,
    )
    first_tag_end = svg.index(">") + 1
    escaped = title.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return f'{svg[:first_tag_end]}<title id="{title_id}">{escaped}</title>{svg[first_tag_end:]}'


def _render(figure: Figure, *, chart_id: str, title: str) -> str:
    buffer = io.StringIO()
    with matplotlib.rc_context({**RC, "svg.hashsalt": chart_id}):
        figure.savefig(buffer, format="svg", metadata={"Date": None}, bbox_inches="tight")
    return _clean_svg(buffer.getvalue(), chart_id=chart_id, title=title)


def bar_chart(chart_id: str, title: str, labels: list[str], series: list[tuple[str, list]]):
    """Horizontal bars, one group per label and one bar per series; values written beside."""
    with matplotlib.rc_context(RC):
        height = 0.6 + 0.45 * len(labels) * max(1, len(series))
        figure = Figure(figsize=(7, max(1.8, height)))
        axes = figure.subplots()
        bar_height = 0.8 / len(series)
        colours = [BLUE, DARK_BLUE]
        biggest = max([_number(v) for _name, values in series for v in values] or [0]) or 1
        for index, (name, values) in enumerate(series):
            positions = [
                row + (index - (len(series) - 1) / 2) * bar_height for row in range(len(labels))
            ]
            axes.barh(
                positions,
                [_number(value) for value in values],
                height=bar_height * 0.9,
                color=colours[index % len(colours)],
                label=name,
            )
            for position, value in zip(positions, values, strict=True):
                axes.text(
                    _number(value) + biggest * 0.01,
                    position,
                    _shown(value),
                    va="center",
                    fontsize=9,
                )
        axes.set_yticks(range(len(labels)), labels)
        axes.invert_yaxis()
        axes.set_xlim(0, biggest * 1.15)
        axes.xaxis.set_major_locator(MaxNLocator(integer=True))
        axes.spines[["top", "right"]].set_visible(False)
        if len(series) > 1:
            axes.legend(loc="best", frameon=False)
        return _render(figure, chart_id=chart_id, title=title)


def _chart(chart_id, title, labels, series, *, label_head):
    return Chart(
        id=chart_id,
        title=title,
        svg=bar_chart(chart_id, title, labels, series),
        caption=_("Data for the chart: %(title)s") % {"title": title},
        head=[label_head, *(name for name, _values in series)],
        rows=[
            [label, *(_shown(values[row]) for _name, values in series)]
            for row, label in enumerate(labels)
        ],
    )


def _counts_in(measures: dict, group: str) -> list[str]:
    """The group's count measures in the document, in its order."""
    return [
        measure_id
        for measure_id in measures
        if measure_id in REGISTRY
        and REGISTRY[measure_id].group == group
        and REGISTRY[measure_id].kind == "count"
    ]


def charts_for(document: dict) -> list[Chart]:
    """The evaluation report's charts, from its JSON document (overall values)."""
    measures = document["measures"]
    charts = []
    funnel = _counts_in(measures, "funnel")
    if funnel:
        charts.append(
            _chart(
                "funnel",
                _("Referral funnel: young people at each step"),
                [str(REGISTRY[name].label) for name in funnel],
                [(_("Young people"), [measures[name] for name in funnel])],
                label_head=_("Step"),
            )
        )
    fidelity = _counts_in(measures, "fidelity")
    if fidelity:
        charts.append(
            _chart(
                "fidelity",
                _("Fidelity: cohort members with each element of the model"),
                [str(REGISTRY[name].label) for name in fidelity],
                [(_("Young people"), [measures[name] for name in fidelity])],
                label_head=_("Element"),
            )
        )
    first, latest = measures.get("trm_first_stage"), measures.get("trm_latest_stage")
    if isinstance(first, dict) and isinstance(latest, dict):
        stages = sorted({*first, *latest}, key=lambda number: int(number))
        if stages:
            charts.append(
                _chart(
                    "trm",
                    _("TRM stage: first and latest assessment"),
                    [REGISTRY["trm_first_stage"].category_label(number) for number in stages],
                    [
                        (_("First assessment"), [first.get(number, 0) for number in stages]),
                        (_("Latest assessment"), [latest.get(number, 0) for number in stages]),
                    ],
                    label_head=_("TRM stage"),
                )
            )
    outcome_pairs = [
        (_("Offences"), "offences_before", "offences_after"),
        (_("Breaches"), "breaches_before", "breaches_after"),
    ]
    if all(before in measures and after in measures for _l, before, after in outcome_pairs):
        charts.append(
            _chart(
                "outcomes",
                _("Outcomes: before and after the ECM start (follow-up cohort)"),
                [label for label, _before, _after in outcome_pairs],
                [
                    (_("Before"), [measures[before] for _l, before, _a in outcome_pairs]),
                    (_("After"), [measures[after] for _l, _b, after in outcome_pairs]),
                ],
                label_head=_("Outcome"),
            )
        )
    return charts
