"""Saving a change so its history row names who made it.

Every model with a change history (django-simple-history) takes the acting user from
`_history_user`; records that people edit side by side also carry a `version` number,
checked before a change is accepted so that nobody overwrites a change they have not seen.
Services in every app save through these two functions, so neither step can be forgotten.
"""


def save_by(obj, by, **save_kwargs) -> None:
    """Save `obj`, its history row naming `by` as the one who changed it."""
    obj._history_user = by
    obj.save(**save_kwargs)


def save_version(obj, by, **save_kwargs) -> None:
    """Save `obj` as its next version, changed by `by` (see the module docstring)."""
    obj.version += 1
    save_by(obj, by, **save_kwargs)
