"""Features other teams build, used only when they are installed.

- `clinlead.selection.services.open_vacancy(*, actor, position, reason, note="")` (reason
  "term_ending" or "departure"; returns the vacancy, whose `selection` has a page): starting a
  selection from a term warning. Without it, warnings link to the position's page.
- `clinlead.development.selectors.development_summary(*, person) -> dict` with the keys
  "programme" (its "progress_percent" 0-100), "assessment", "plan" and "learning_records": on the
  candidate card. Without it, "No development record".
- `clinlead.development.selectors.with_programme_progress(people)`: talent search's progress
  column and filter. Without it, progress is not offered.
- `clinlead.development.selectors.onboarding_warnings(person_ids) -> {person id: str}`: people
  whose onboarding has not ended in a confirmed appointment, warned of on the pool page, the
  candidate card and when nominating. Without it, no warnings.
"""

import importlib
import importlib.util


def _function(module_name, function_name):
    try:
        if importlib.util.find_spec(module_name) is None:
            return None
    except ModuleNotFoundError:  # a parent package is missing
        return None
    return getattr(importlib.import_module(module_name), function_name, None)


def open_vacancy_function():
    return _function("clinlead.selection.services", "open_vacancy")


def selection_available() -> bool:
    return open_vacancy_function() is not None


def development_summary_function():
    return _function("clinlead.development.selectors", "development_summary")


def programme_progress_function():
    """`clinlead.development.selectors.with_programme_progress(people)`: a Person queryset with
    `programme_progress` (per cent, None if never enrolled) added, for talent search."""
    return _function("clinlead.development.selectors", "with_programme_progress")


def development_summary(*, person):
    """The person's development summary (a dict), or None without the development module."""
    summarise = development_summary_function()
    return summarise(person=person) if summarise is not None else None


def has_development_record(summary) -> bool:
    """Anything recorded: a programme, an assessment, a career conversation or learning."""
    if not summary:
        return False
    return any(summary.get(key) for key in ("programme", "assessment", "plan", "learning_records"))


def onboarding_warnings(person_ids) -> dict:
    """{person id: warning} for people still in onboarding (appointment not yet confirmed), or {}
    without the development module."""
    warn = _function("clinlead.development.selectors", "onboarding_warnings")
    return warn(person_ids) if warn is not None else {}
