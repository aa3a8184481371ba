#!/usr/bin/env python
"""Django's command-line utility for administrative tasks."""

import os
import sys


def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ecm.settings")
    from django.conf import settings
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import execute_from_command_line

    try:
        settings.INSTALLED_APPS  # noqa: B018 - load the settings now, to report them clearly
    except ImproperlyConfigured as error:
        # Django would swallow this and fail later with "Models aren't loaded yet".
        sys.exit(
            f"Configuration error: {error}\n"
            "Set the variable (see .env.example), or ECM_DEMO=true for a local demonstration."
        )
    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
