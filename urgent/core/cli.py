"""The `urgent` console script: every Django management command, plus serve/worker/bench."""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    from config.env import ConfigError

    try:
        import django

        django.setup()
    except ConfigError as exc:
        print(f"urgent: configuration error: {exc}", file=sys.stderr)
        return 2
    from django.core.management import execute_from_command_line
    from django.db import DatabaseError

    from urgent.core.audit import audit_command_name, audit_record, audit_source

    command = args[0] if args and not args[0].startswith("-") else "help"
    try:
        with audit_source(name=audit_command_name(command)):
            execute_from_command_line(["urgent", *args])
            if command in RECORDED_COMMANDS:
                audit_record(actor=None, action=f"command.{command}", after=_arguments(args))
    except KeyboardInterrupt:
        return 130
    except DatabaseError:
        advice = database_not_set_up()
        if advice is None:
            raise
        print(f"urgent: {advice}", file=sys.stderr)
        return 2
    return 0


# Commands that change data without writing to the audit log themselves (Django's own, and
# `demo`, which creates a superuser); the audit log gets one entry per run, naming the
# command, its arguments and the OS user. Urgent's other commands write through services,
# which record each change.
RECORDED_COMMANDS = frozenset(
    {"createsuperuser", "changepassword", "loaddata", "flush", "shell", "dbshell", "migrate"}
    | {"demo"}
)


def _arguments(args: list[str]) -> dict[str, list[str]]:
    shown: list[str] = []
    hide_next = False
    for arg in args[1:]:
        secret = any(word in arg.lower() for word in ("password", "secret", "token", "key"))
        shown.append("(hidden)" if hide_next else arg)
        hide_next = secret and "=" not in arg
        if secret and "=" in arg:
            shown[-1] = arg.split("=", 1)[0] + "=(hidden)"
    return {"arguments": shown}


def database_not_set_up() -> str | None:
    """One line saying what to run when the database lacks tables this version needs.

    A command that reads or writes the database on a data directory that was never
    migrated (or is behind the code) fails on a missing table; this tells the person why
    instead of showing them the traceback. None when migrations are not the problem.
    """
    from django.db import DatabaseError, connection
    from django.db.migrations.executor import MigrationExecutor

    try:
        connection.close()  # the failed statement may have left a broken transaction
        executor = MigrationExecutor(connection)
        pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
    except DatabaseError:
        return None
    if not pending:
        return None
    name = connection.settings_dict["NAME"]
    where = f"the database {name}" if connection.vendor != "sqlite" else f"the database at {name}"
    return (
        f"{where} is not set up for this version of Urgent "
        f"({len(pending)} migrations to apply): run `urgent migrate` first."
    )


if __name__ == "__main__":
    raise SystemExit(main())
