"""The exchange format (DESIGN.md section 8): a folder or .zip of UTF-8 CSV files that brings
case data in from other systems and takes it out again.

* :mod:`.schema` declares every file and column once;
* :mod:`.source` reads a folder or a zip into memory (zip-slip safe, size-limited);
* :mod:`.reader` parses and validates, reporting every problem as
  ``file:line: column: what is wrong``;
* :mod:`.importer` writes a valid exchange in one transaction (or reports a dry run);
* :mod:`.exporter` writes the same format from the database;
* :mod:`.views` and :mod:`.forms` are the administrator's upload page, and :mod:`.jobs` the
  Celery work that checks (and imports) an upload exactly once.
"""

from django.utils.translation import gettext_lazy as _

#: Labels of the case events an import writes (for ``cases.services.register_event_labels``).
EVENT_LABELS = {
    "exchange.imported": _("Imported from another system"),
    "exchange.updated": _("Updated by an import from another system"),
}

#: Labels of the access-log actions of the import page (for ``register_action_labels``).
ACCESS_LOG_LABELS = {
    "exchange.import": _("Checked or imported an exchange file"),
    "exchange.import.view": _("Viewed the outcome of an exchange file's check or import"),
}
