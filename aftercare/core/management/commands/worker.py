"""`aftercare worker`: run background tasks from whichever task backend is configured.

The database backend (the default) is worked by django-tasks-db's `db_worker`. With REDIS_URL
the backend is django-tasks-rq, whose jobs need its own Job class, and whose delayed tasks
(`run_after`) sit in RQ's scheduled registry until a worker with the scheduler moves them to
the queue; so the RQ worker always runs with `--with-scheduler`.

Every worker also sweeps the outbox for messages whose delivery task was lost (core/sweeper.py):
once at start, then every five minutes; a --batch run sweeps once before it works the queue.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser

from aftercare.core.sweeper import OutboxSweeper, sweep_once

RQ_BACKEND = "django_tasks_rq.RQBackend"
RQ_JOB_CLASS = "django_tasks_rq.Job"


def uses_rq(alias: str = "default") -> bool:
    return bool(settings.TASKS.get(alias, {}).get("BACKEND") == RQ_BACKEND)


class Command(BaseCommand):
    help = (
        "Run the task worker: db_worker for the database backend, an RQ worker with the "
        "scheduler when REDIS_URL is set."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--queue-name",
            default="default",
            help="Queues to work, comma-separated (default: %(default)s).",
        )
        parser.add_argument(
            "--batch",
            action="store_true",
            help="Run what is queued now, then exit (RQ: burst mode).",
        )
        parser.add_argument(
            "--interval",
            type=float,
            default=1.0,
            help="Database backend: seconds between polls when idle (default: %(default)s).",
        )
        parser.add_argument(
            "--max-tasks", type=int, default=None, help="Exit after running this many tasks."
        )
        parser.add_argument(
            "--reload",
            action="store_true",
            help="Database backend: restart when code changes (development only).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        queues = [name.strip() for name in options["queue_name"].split(",") if name.strip()]
        if not queues:
            raise CommandError("--queue-name needs at least one queue.")
        if options["max_tasks"] is not None and options["max_tasks"] < 1:
            raise CommandError("--max-tasks must be at least 1.")
        if options["batch"]:
            sweep_once()
            self._run(queues, options)
            return
        sweeper = OutboxSweeper()
        sweeper.start()
        try:
            self._run(queues, options)
        finally:
            sweeper.stop()

    def _run(self, queues: list[str], options: dict[str, Any]) -> None:
        if uses_rq():
            self._run_rq(queues, options)
        else:
            self._run_db(queues, options)

    def _run_db(self, queues: list[str], options: dict[str, Any]) -> None:
        call_command(
            "db_worker",
            queue_name=",".join(queues),
            interval=options["interval"],
            batch=options["batch"],
            # db_worker reloads by default under DEBUG; a worker beside a server should not.
            reload=options["reload"] and not options["batch"],
            # The start-up delay spreads a fleet of workers; a batch run wants no wait.
            startup_delay=not options["batch"],
            max_tasks=options["max_tasks"],
            verbosity=options["verbosity"],
        )

    def _run_rq(self, queues: list[str], options: dict[str, Any]) -> None:
        call_command(
            "rqworker",
            *queues,
            job_class=RQ_JOB_CLASS,
            with_scheduler=True,
            burst=options["batch"],
            max_jobs=options["max_tasks"],
            verbosity=options["verbosity"],
        )
