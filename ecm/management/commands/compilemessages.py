"""`compilemessages` that also works where GNU gettext is not installed.

With `msgfmt` on the PATH this is Django's own command. Without it (a newcomer's laptop),
the project's catalogues in LOCALE_PATHS are compiled with Babel, so `make run` needs
nothing beyond Python.
"""

import shutil
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from django.conf import settings
from django.core.management.commands import compilemessages


class Command(compilemessages.Command):
    def handle(self, **options):
        if shutil.which("msgfmt"):
            return super().handle(**options)
        compiled = 0
        for locale_path in settings.LOCALE_PATHS:
            for po_path in sorted(Path(locale_path).glob("*/LC_MESSAGES/*.po")):
                with po_path.open("rb") as po_file:
                    catalog = read_po(po_file)
                with po_path.with_suffix(".mo").open("wb") as mo_file:
                    write_mo(mo_file, catalog)
                compiled += 1
        self.stdout.write(f"Compiled {compiled} catalogue(s) with Babel (msgfmt not found).")
