"""The transaction of a named action: the outermost action owns it, actions it calls join it.

Every action that writes runs in `with actions.atomic():` and writes its audit event there
(`audit.record` still refuses to run outside a transaction).

- Called on its own, an action is `transaction.atomic(durable=True)`: it commits when it
  returns, and, as before, it is refused inside a transaction that is not an action's (a view or
  a task that opened its own would otherwise hold the action's commit hostage).
- Called by another action (selection's final choice appoints through the appointment service;
  the demo loads through the public actions), it joins the outer action's transaction as a
  savepoint: everything commits, or nothing does, when the outer action ends.
"""

from django.db import transaction

_MARK = "_clinlead_action"


def _inside_an_action(connection) -> bool:
    return any(getattr(block, _MARK, False) for block in connection.atomic_blocks)


def atomic():
    """The action's transaction: durable when outermost, a savepoint inside an outer action."""
    if _inside_an_action(transaction.get_connection()):
        return transaction.atomic()
    block = transaction.atomic(durable=True)
    setattr(block, _MARK, True)
    return block
