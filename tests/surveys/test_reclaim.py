"""After a close, old row versions are removed only once no older transaction can still read them."""

import psycopg
import pytest
from django.db import connection

from clinlead.surveys.services import reclaim_deleted_rows
from tests.surveys.forensics import is_postgresql

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.skipif(not is_postgresql(), reason="VACUUM and transaction ids are PostgreSQL's")
def test_the_clean_up_waits_for_an_older_transaction_and_says_when_it_could_not():
    settings = connection.settings_dict
    older = psycopg.connect(host=settings["HOST"], port=settings["PORT"] or 5432, user=settings["USER"],
                            dbname=settings["NAME"], password=settings["PASSWORD"] or None)
    try:
        older.execute("SELECT txid_current()")  # a transaction begun before the close, still open
        assert reclaim_deleted_rows(wait_seconds=0.5) is False
    finally:
        older.rollback()
        older.close()
    # Other databases' work on a shared server counts too; it ends within a couple of minutes.
    assert reclaim_deleted_rows(wait_seconds=120) is True


def test_a_clean_up_that_could_not_finish_is_tried_again_later(monkeypatch, settings):
    from clinlead.surveys import services, tasks

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    monkeypatch.setattr(services, "reclaim_deleted_rows", lambda **kwargs: False)
    tasks.reclaim_survey_space.call(after_transaction=123)
    from django_tasks_db.models import DBTaskResult

    (queued,) = DBTaskResult.objects.filter(task_path__endswith="reclaim_survey_space")
    assert queued.args_kwargs["kwargs"] == {"after_transaction": 123, "attempt": 2}
    assert queued.run_after is not None
