"""What the leader index tells the apps above it (they connect in their `AppConfig.ready`).

The leader index sits below the reports (evaluation) and never imports them.
"""

from django.dispatch import Signal

# Sent with `actor` and `organisation` once a cycle's results are published (or published again)
# and the transaction has committed: readers of the published figures take the new ones.
results_published = Signal()
