"""The base of every management command that reads or writes young people's records.

A command run on the server bypasses the web pages and their access log, so the command
writes its own row before it starts: the operating-system user it runs as, its name and its
arguments (`accounts.access_log.record_command`). The row is written outside the command's
own transaction, so a command that fails or is rolled back is still on the log. Arguments
that are plainly wrong are refused first (`check_arguments`): nothing ran, nothing to log.
If the row cannot be written the command does not run (the log is never skipped).

tests/accounts/test_management_commands.py checks that every command of the project's apps
either derives from `AccessLoggedCommand` or is on its allow-list with a reason.
"""

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError

from accounts.access_log import record_command

#: Options every Django command has; they say how it runs, not what it does to the data.
_RUN_OPTIONS = frozenset(
    {
        "verbosity",
        "settings",
        "pythonpath",
        "traceback",
        "no_color",
        "force_color",
        "skip_checks",
        "stdout",
        "stderr",
    }
)


def _options_as_arguments(args, options) -> list[str]:
    """The command line a `call_command` would have been typed as (defaults included)."""
    arguments = [str(value) for value in args]
    for name, value in sorted(options.items()):
        if name in _RUN_OPTIONS or value is None or value is False:
            continue
        flag = "--" + name.replace("_", "-")
        if value is True:
            arguments.append(flag)
        elif isinstance(value, list | tuple):
            arguments.extend(f"{flag}={item}" for item in value)
        else:
            arguments.append(f"{flag}={value}")
    return arguments


class AccessLoggedCommand(BaseCommand):
    """A command that writes an access-log row (who ran it, with what) before it runs."""

    _argv: list[str] | None = None

    @property
    def command_name(self) -> str:
        return self.__module__.rsplit(".", 1)[-1]

    def run_from_argv(self, argv):
        # From the command line: log the arguments exactly as typed.
        self._argv = list(argv[2:])
        super().run_from_argv(argv)

    def check_arguments(self, *args, **options) -> None:
        """Refuse wrong arguments with a CommandError before anything is logged or read."""

    def execute(self, *args, **options):
        self.check_arguments(*args, **options)
        arguments = self._argv if self._argv is not None else _options_as_arguments(args, options)
        try:
            record_command(self.command_name, arguments)
        except DatabaseError as error:
            raise CommandError(
                f"{self.command_name} did not run: the access log could not be written "
                f"({error.__class__.__name__}). Is the database reachable and migrated?"
            ) from None
        return super().execute(*args, **options)
