"""Agreed actions in the demonstration: the old ones were done, the recent ones are open."""

from datetime import timedelta

from cases import tasks

#: Actions due longer ago than this were done (on their due date).
DONE_AFTER_DAYS = 21


def done_when_long_past(actions, today, *, fallback) -> None:
    """Mark done, on their due date, the actions due more than three weeks ago: by whoever
    was given them, or `fallback` (the key worker) for someone outside the service."""
    for action in actions:
        if action.due_on and action.due_on < today - timedelta(days=DONE_AFTER_DAYS):
            tasks.mark_done(action, by=action.assignee or fallback, done_on=action.due_on)
