"""`clinlead worker`: runs the background tasks queued in the database (survey e-mails, the
succession monitor's figures, space reclaimed after a survey's close).

Each worker has a name that stays the same across restarts (CLINLEAD_WORKER_ID, default the
machine's name): a task the same worker had started when it was killed is put back in the queue
when it starts again, so nothing is lost. Tasks do their writing in one transaction and work out
what is still to do when they run, so a task run again does not do its work twice."""

import os
import socket

from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.utils import timezone

WORKER_ID_MAX = 64  # django-tasks-db's limit


def default_worker_id():
    return socket.gethostname()[:WORKER_ID_MAX]


def requeue_interrupted(*, worker_id):
    """Tasks this worker had claimed and not finished: it died while running them."""
    from django_tasks.base import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    interrupted = [
        result.pk
        for result in DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING).only(
            "worker_ids"
        )
        if result.worker_ids and result.worker_ids[-1] == worker_id
    ]
    if interrupted:
        DBTaskResult.objects.filter(pk__in=interrupted, status=TaskResultStatus.RUNNING).update(
            status=TaskResultStatus.READY, started_at=None, run_after=timezone.now()
        )
    return len(interrupted)


class Command(BaseCommand):
    help = "Run Clinlead's background tasks (one or more per installation; each with its own CLINLEAD_WORKER_ID)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--worker-id", help="a name unique to this worker, the same after a restart"
        )
        parser.add_argument("--batch", action="store_true", help="run what is queued, then stop")
        parser.add_argument(
            "--interval", type=float, default=1.0, help="seconds between looks at an empty queue"
        )

    def handle(self, *args, worker_id, batch, interval, **options):
        worker_id = (worker_id or os.environ.get("CLINLEAD_WORKER_ID") or default_worker_id())[
            :WORKER_ID_MAX
        ]
        again = requeue_interrupted(worker_id=worker_id)
        if again:
            self.stderr.write(
                f"{again} task(s) interrupted when worker {worker_id} last stopped: queued again."
            )
        call_command(
            "db_worker",
            queue_name="*",
            worker_id=worker_id,
            batch=batch,
            interval=interval,
            reload=False,
            startup_delay=not batch,
            verbosity=options.get("verbosity", 1),
        )
