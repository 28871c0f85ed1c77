"""`scipy.stats`, imported the first time a function of it is used.

scipy.stats takes half a second or more to import. The analytics modules are imported by the URL
configuration, so every command's system checks and every web worker would pay for it at start
even when they compute no statistic; `from clinlead.analytics.lazy_stats import stats` defers it.
"""

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from scipy import stats
else:

    class _Stats:
        def __getattr__(self, name: str) -> Any:
            from scipy import stats

            return getattr(stats, name)

    stats = _Stats()

__all__ = ["stats"]
