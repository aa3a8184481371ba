"""Supervision's and oversight's rules, each stated once (like `cases/rules.py`): nothing
here reads the clock; "today" is an argument.

* Management oversight is due every 3 calendar months (issue 15: "the team view shows cases
  with no oversight in the last 3 months"; the measure `cases_with_recent_oversight`).
"""

from datetime import date

from dateutil.relativedelta import relativedelta

#: A case needs management oversight at least this often (calendar months).
OVERSIGHT_MONTHS = 3


def oversight_due_since(today: date) -> date:
    """The earliest date an oversight entry counts as recent on `today`: 3 calendar months
    back (31 May → 28/29 February)."""
    return today - relativedelta(months=OVERSIGHT_MONTHS)
