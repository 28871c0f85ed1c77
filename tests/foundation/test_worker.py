"""`clinlead worker`: a task interrupted by a killed worker is run again when it restarts, once."""

import pytest
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from clinlead.accounts.management.commands.worker import requeue_interrupted

DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def _row(*, status, worker_ids):
    return DBTaskResult.objects.create(
        status=status,
        worker_ids=worker_ids,
        args_kwargs={"args": [], "kwargs": {}},
        task_path="clinlead.notifications.send_bulk",
        backend_name="default",
        run_after=timezone.now(),
        started_at=timezone.now(),
    )


@pytest.mark.django_db
def test_only_the_restarted_workers_own_unfinished_tasks_are_queued_again():
    mine = _row(status=TaskResultStatus.RUNNING, worker_ids=["ward-server-1"])
    passed_on = _row(status=TaskResultStatus.RUNNING, worker_ids=["ward-server-1", "ward-server-2"])
    finished = _row(status=TaskResultStatus.SUCCESSFUL, worker_ids=["ward-server-1"])

    assert requeue_interrupted(worker_id="ward-server-1") == 1

    mine.refresh_from_db()
    passed_on.refresh_from_db()
    finished.refresh_from_db()  # noqa: E702
    assert (mine.status, mine.started_at) == (TaskResultStatus.READY, None)
    assert passed_on.status == TaskResultStatus.RUNNING  # another worker runs it now
    assert finished.status == TaskResultStatus.SUCCESSFUL


@pytest.mark.django_db(transaction=True)
def test_worker_runs_what_its_predecessor_left_half_done(settings):
    """The worker's restart picks the task up and finishes it."""
    from clinlead.succession.monitor_store import refresh_monitor_figures
    from tests.factories import OrganisationFactory

    organisation = OrganisationFactory()
    with override_settings(TASKS=DATABASE_TASKS):
        result = refresh_monitor_figures.enqueue(organisation_id=organisation.pk, day="2026-12-01")
        DBTaskResult.objects.filter(pk=result.id).update(
            status=TaskResultStatus.RUNNING, worker_ids=["ward-server-1"], started_at=timezone.now()
        )
        call_command("worker", worker_id="ward-server-1", batch=True, verbosity=0)
        row = DBTaskResult.objects.get(pk=result.id)
    assert row.status == TaskResultStatus.SUCCESSFUL
    assert row.worker_ids == ["ward-server-1", "ward-server-1"]  # claimed once more, run once
