"""Making a second request wait for a lock for real (PostgreSQL), for the race tests.

``while_held(hold, waiter)`` runs ``hold()`` in a transaction on this thread and, once it has
returned (so its row locks are held), lets ``waiter()`` start on a thread of its own with its
own connection; it checks that the waiter is then blocked on a lock, commits, and waits for
the waiter to finish. An exception the waiter does not handle fails the test.
"""

import threading
import time

from django.db import connections, transaction


def waiting_for_a_lock(timeout=20.0) -> bool:
    """Whether another backend of this database waits for a row lock (polled, with a limit)."""
    deadline = time.monotonic() + timeout
    with connections["default"].cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute("SELECT pg_stat_clear_snapshot()")  # else fixed for the transaction
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()"
            )
            if cursor.fetchone()[0]:
                return True
    return False


def while_held(hold, waiter):
    """``hold()``'s result, after ``waiter()`` waited for its locks and then ran."""
    errors, held = [], threading.Event()

    def run():
        try:
            held.wait(timeout=20)
            waiter()
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    with transaction.atomic():
        result = hold()
        held.set()
        assert waiting_for_a_lock()
    thread.join(timeout=30)
    assert errors == []
    return result
