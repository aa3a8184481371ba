"""Server-side charts for the case record, drawn with matplotlib as SVG (DESIGN.md section 3).

Charts are pure functions from data to SVG bytes: no request, no database. The page that
shows a chart always shows the same data as a table beside it, so the image is never the
only way to read it.
"""

import io
from collections.abc import Mapping, Sequence
from datetime import date, timedelta

import matplotlib

matplotlib.use("Agg")  # no display on a server; must come before anything draws

from matplotlib import dates as mdates  # noqa: E402
from matplotlib import rc_context  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.ticker import FixedLocator, NullLocator  # noqa: E402

#: GOV.UK Frontend colours: text, brand blue, mid grey for grid lines.
TEXT_COLOUR = "#0b0c0c"
LINE_COLOUR = "#1d70b8"
GRID_COLOUR = "#b1b4b6"

#: The model has seven stages by default; the axis always shows at least these.
DEFAULT_STAGE_COUNT = 7

_STYLE = {
    # Keep text as text (smaller files, selectable, read by assistive technology) and make
    # the output the same for the same data (stable element ids, no timestamp).
    "svg.fonttype": "none",
    "svg.hashsalt": "ecm-trm-chart",
    "font.family": "sans-serif",
    "font.sans-serif": ["Arial", "Liberation Sans", "Helvetica", "DejaVu Sans"],
    "font.size": 10,
    "text.color": TEXT_COLOUR,
    "axes.edgecolor": TEXT_COLOUR,
    "axes.labelcolor": TEXT_COLOUR,
    "xtick.color": TEXT_COLOUR,
    "ytick.color": TEXT_COLOUR,
}


def _svg(figure: Figure, title: str) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="svg", metadata={"Title": title, "Date": None})
    return buffer.getvalue()


def _empty_chart(message: str, title: str) -> bytes:
    with rc_context(_STYLE):
        figure = Figure(figsize=(4, 1))
        figure.text(0.5, 0.5, message, ha="center", va="center", fontsize=12)
        return _svg(figure, title or message)


def trm_stage_chart(
    points: Sequence[tuple[date, int]],
    *,
    until: date | None = None,
    stage_labels: Mapping[int, str] | None = None,
    title: str = "",
    empty_message: str = "",
) -> bytes:
    """A step line of a young person's TRM stage over time, as SVG bytes.

    `points` are (date assessed, stage number) pairs in any order. Each stage holds until
    the next assessment; the last one is drawn on to `until` (for example today) when that
    is later. `stage_labels` names the stages on the y axis ("1 Routine and consistency");
    without it the axis shows the numbers. `title` becomes the SVG's `<title>`; the caller
    passes translated text for it and for `empty_message`, shown when there are no points.
    """
    if not points:
        return _empty_chart(empty_message or "No TRM assessments yet", title)

    ordered = sorted(points)
    days = [day for day, _stage in ordered]
    stages = [stage for _day, stage in ordered]
    line_days, line_stages = list(days), list(stages)
    if until is not None and until > days[-1]:
        line_days.append(until)
        line_stages.append(stages[-1])

    top = max(DEFAULT_STAGE_COUNT, *stages, *(stage_labels or {}))
    numbers = list(range(1, top + 1))
    labels = stage_labels or {}

    with rc_context(_STYLE):
        figure = Figure(figsize=(8, 3.6), layout="constrained")
        axes = figure.add_subplot()
        axes.step(line_days, line_stages, where="post", color=LINE_COLOUR, linewidth=2.5)
        axes.plot(days, stages, "o", color=LINE_COLOUR, markersize=6)

        axes.set_ylim(0.5, top + 0.5)
        axes.yaxis.set_major_locator(FixedLocator(numbers))
        axes.set_yticklabels(
            [
                f"{number} {labels[number]}" if number in labels else str(number)
                for number in numbers
            ]
        )
        axes.yaxis.set_minor_locator(NullLocator())
        axes.grid(axis="y", color=GRID_COLOUR, linewidth=0.8)
        axes.set_axisbelow(True)

        first, last = line_days[0], line_days[-1]
        if first == last:  # one day only: give the axis some width around it
            first, last = first - timedelta(days=15), last + timedelta(days=15)
        margin = max((last - first) / 40, timedelta(days=1))
        axes.set_xlim(first - margin, last + margin)
        locator = mdates.AutoDateLocator(minticks=3, maxticks=8)
        axes.xaxis.set_major_locator(locator)
        # Numeric dates read the same in English and Welsh.
        axes.xaxis.set_major_formatter(mdates.DateFormatter("%d/%m/%Y"))
        for side in ("top", "right"):
            axes.spines[side].set_visible(False)
        return _svg(figure, title)
