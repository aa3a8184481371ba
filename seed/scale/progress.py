"""What `seed_scale` shows: a progress bar while it runs, and what was written at the end."""

import sys
import time
from dataclasses import dataclass, field


def _short(number: int) -> str:
    if number >= 1_000_000:
        return f"{number / 1_000_000:.1f}M"
    if number >= 10_000:
        return f"{number / 1000:.0f}k"
    return f"{number:,}"


class Progress:
    """A progress bar: redrawn in place on a terminal, else a plain line every 5%."""

    WIDTH = 20

    def __init__(self, write, *, tty: bool, total: int, flush=None):
        self.write = write
        self.flush = flush or (lambda: None)
        self.tty = tty
        self.total = max(total, 1)
        self.started = time.monotonic()
        self.last_step = -1
        self.last_draw = 0.0
        self.last_width = 0

    def line(self, done: int, appointments: int) -> str:
        fraction = min(done / self.total, 1.0)
        filled = int(fraction * self.WIDTH)
        elapsed = time.monotonic() - self.started
        left = elapsed / fraction - elapsed if fraction else 0.0
        return (
            f"[{'#' * filled}{'.' * (self.WIDTH - filled)}] {int(fraction * 100):3d}% "
            f"{done:,}/{self.total:,} young people, {_short(appointments)} appointments, "
            f"{elapsed:.0f} s elapsed, ~{left:.0f} s left"
        )

    def update(self, done: int, appointments: int) -> None:
        if self.tty:
            now = time.monotonic()
            if done < self.total and now - self.last_draw < 0.2:
                return
            self.last_draw = now
            text = self.line(done, appointments)
            # Pad over what a longer previous line left behind.
            self.write("\r" + text.ljust(self.last_width))
            self.last_width = len(text)
            self.flush()
            return
        step = int(min(done / self.total, 1.0) * 20)  # every 5%
        if step > self.last_step:
            self.last_step = step
            self.write(self.line(done, appointments) + "\n")

    def finish(self) -> None:
        if self.tty:
            self.write("\n")
            self.flush()


@dataclass
class Result:
    teams_created: int = 0
    staff_created: int = 0
    young_people_created: int = 0
    young_people_skipped: int = 0
    seconds: float = 0.0
    method: str = ""
    #: model label -> (rows, seconds spent writing them)
    tables: dict = field(default_factory=dict)

    @property
    def rows(self) -> int:
        return sum(rows for rows, _seconds in self.tables.values())


def write_summary(result: Result, write=sys.stdout.write) -> None:
    """A table of rows written and rows per second, by table, then the totals."""
    write(f"{'table':<40} {'rows':>12} {'seconds':>9} {'rows/s':>10}\n")
    for label, (rows, seconds) in sorted(result.tables.items(), key=lambda item: -item[1][0]):
        rate = f"{rows / seconds:,.0f}" if rows and seconds else "-"
        write(f"{label:<40} {rows:>12,} {seconds:>9.1f} {rate:>10}\n")
    total = result.rows
    writing = sum(seconds for _rows, seconds in result.tables.values())
    write(
        f"{'(building rows in Python, other queries)':<40} {'':>12} "
        f"{result.seconds - writing:>9.1f}\n"
    )
    write(
        f"{result.young_people_created:,} young people added "
        f"({result.young_people_skipped:,} already there), {result.teams_created} teams and "
        f"{result.staff_created} staff added; {total:,} rows in {result.seconds:.1f} s "
        f"({total / result.seconds if result.seconds else 0:,.0f} rows/s, {result.method}).\n"
    )
