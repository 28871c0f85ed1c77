"""Who may see and do what: every object rule of Clinlead lives in this package.

`core` holds the organisation-wide rules; each domain keeps its own rules in a submodule here
(`succession`, `selection`, ...), and everything is re-exported, so callers import
`clinlead.accounts.permissions` and nothing else.
"""

from clinlead.accounts.permissions.core import *  # noqa: F403
from clinlead.accounts.permissions.core import __all__ as _core

__all__ = list(_core)
for _name in ("leaderindex", "succession", "selection", "development", "evaluation"):
    try:
        _module = __import__(f"clinlead.accounts.permissions.{_name}", fromlist=["__all__"])
    except ModuleNotFoundError as _exc:
        if _exc.name != f"clinlead.accounts.permissions.{_name}":
            raise
        continue
    for _rule in _module.__all__:
        globals()[_rule] = getattr(_module, _rule)
        __all__.append(_rule)
