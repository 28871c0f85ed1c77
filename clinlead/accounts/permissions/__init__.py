"""Who may see and do what: every object rule of Clinlead lives in this package.

`core` holds the organisation-wide rules; each domain keeps its own rules in a submodule here
(`succession`, `selection`, ...), and everything is re-exported, so callers import
`clinlead.accounts.permissions` and nothing else.
"""

from clinlead.accounts.permissions import (
    core,
    development,
    evaluation,
    leaderindex,
    selection,
    succession,
)
from clinlead.accounts.permissions.core import *  # noqa: F403
from clinlead.accounts.permissions.development import *  # noqa: F403
from clinlead.accounts.permissions.evaluation import *  # noqa: F403
from clinlead.accounts.permissions.leaderindex import *  # noqa: F403
from clinlead.accounts.permissions.selection import *  # noqa: F403
from clinlead.accounts.permissions.succession import *  # noqa: F403

# Every submodule ships with Clinlead: each is imported by name (a missing one is an error).
__all__ = [name for module in (core, leaderindex, succession, selection, development, evaluation)
           for name in module.__all__]
