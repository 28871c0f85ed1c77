"""`clinlead survey-progress` (run daily) records each open cycle's progress for the day."""

from django.core.management import call_command

from clinlead.surveys.models import ResponseRateSnapshot, SurveyCycle


def test_the_daily_count_records_progress_for_every_open_cycle(demo):
    open_cycles = SurveyCycle.objects.filter(status=SurveyCycle.Status.OPEN)
    assert open_cycles.exists()
    ResponseRateSnapshot.objects.all().delete()
    call_command("survey_progress")
    for cycle in open_cycles:
        assert ResponseRateSnapshot.objects.filter(cycle=cycle).exists(), cycle
