"""The home page's inbox: what a person has to do, most urgent first.

Each app knows its own tasks (a 360 request waiting, a ballot to vote in, milestones overdue)
and registers a provider for them in its `todos.py`:

    @todo_provider
    def feedback_requests(*, user, organisation, today):
        return [Todo(title=..., href=..., due=..., kind="360 feedback")]

The home page (in `accounts`, below the domain apps) asks `todos_for`, which finds the
providers with `clinlead.discovery.app_modules` and never imports an app by name.

A to-do is for the person it belongs to: it says what they must do, never what anyone else did,
and never more about an anonymous answer or a secret ballot than that person's own page says.
"""

from dataclasses import dataclass
from datetime import date

from clinlead.discovery import app_modules

_PROVIDERS = []

# How many days ahead a dated to-do counts as "due soon".
SOON_DAYS = 7


@dataclass(frozen=True)
class Todo:
    title: str  # what to do, in plain words: "Give 360 feedback for Alice Jones"
    href: str
    kind: str  # what sort of task, shown as a caption: "360 feedback"
    due: date | None = None  # None: no date, after every dated to-do
    detail: str = ""

    def urgency(self, today):
        """"overdue", "soon" or "later": the tag the inbox shows."""
        if self.due is None:
            return "later"
        if self.due < today:
            return "overdue"
        return "soon" if (self.due - today).days <= SOON_DAYS else "later"


def todo_provider(function):
    """Register `function(*, user, organisation, today) -> [Todo]`; an app's `todos.py` calls it
    when it loads."""
    if function not in _PROVIDERS:
        _PROVIDERS.append(function)
    return function


def providers():
    app_modules("todos")
    return list(_PROVIDERS)


def sort_key(todo):
    return (todo.due is None, todo.due or date.max, todo.kind, todo.title)


def todos_for(*, user, organisations, today):
    """Every to-do of this login at these organisations: the earliest due first, undated last."""
    found = [todo for organisation in organisations for provider in providers()
             for todo in provider(user=user, organisation=organisation, today=today)]
    return sorted(found, key=sort_key)
