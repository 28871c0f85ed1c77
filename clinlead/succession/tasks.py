"""Background work for succession: working out the monitor's figures."""

from datetime import date

from django_tasks import task


@task()
def refresh_monitor_figures(*, organisation_id, division_id=None, level_id=None, day):
    from clinlead.succession.monitor_store import refresh

    refresh(organisation_id=organisation_id, division_id=division_id, level_id=level_id,
            day=date.fromisoformat(day))
