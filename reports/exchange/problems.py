"""What is wrong with an exchange, one problem per cell, row or file."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """``file:line: column: what is wrong`` (line 1 is the header; line and column optional)."""

    file: str
    message: str
    line: int | None = None
    column: str | None = None

    def __str__(self) -> str:
        place = self.file if self.line is None else f"{self.file}:{self.line}"
        if self.column:
            return f"{place}: {self.column}: {self.message}"
        return f"{place}: {self.message}"
