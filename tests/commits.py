"""``transaction.on_commit`` work under the ``db`` fixture, where it would never run.

The ``db`` fixture wraps each test in a transaction that is rolled back, so work the portal
does after a commit (emails, telling waiting browsers) would silently not happen. Here it
runs where a real commit would: when the code's own outermost atomic block ends, or at once
outside one. Work registered in a block that rolled back is dropped, as on a real database.
Tests of what happens across real commits use ``django_db(transaction=True)``.
"""

import logging

from django.db import transaction
from django.db.backends.base.base import BaseDatabaseWrapper

log = logging.getLogger(__name__)


def _only_the_tests_transaction(connection: BaseDatabaseWrapper) -> bool:
    return connection.in_atomic_block and all(
        block._from_testcase for block in connection.atomic_blocks
    )


def _run(connection: BaseDatabaseWrapper) -> None:
    hooks, connection.run_on_commit = connection.run_on_commit, []
    for _savepoints, work, robust in hooks:
        if not robust:
            work()
            continue
        try:
            work()
        except Exception:  # as Django's robust hooks: logged, never raised
            log.exception("on_commit work failed")


def run_on_commit_work_as_if_committed(monkeypatch) -> None:
    """Patch on_commit and the end of atomic blocks for the rest of the test."""
    real_on_commit = BaseDatabaseWrapper.on_commit
    real_exit = transaction.Atomic.__exit__

    def on_commit(self, func, robust=False):
        real_on_commit(self, func, robust)
        if _only_the_tests_transaction(self):
            _run(self)

    def exit_block(self, exc_type, exc_value, traceback):
        result = real_exit(self, exc_type, exc_value, traceback)
        connection = transaction.get_connection(self.using)
        if _only_the_tests_transaction(connection):
            _run(connection)
        return result

    monkeypatch.setattr(BaseDatabaseWrapper, "on_commit", on_commit)
    monkeypatch.setattr(transaction.Atomic, "__exit__", exit_block)
