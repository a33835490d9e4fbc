"""Weekly XP kept by the database: ``Profile.weekly_xp`` for the leaderboard.

The leaderboard shows each opted-in learner's XP of the last 7 × 24 hours. Summing the ledger
on every request made the page grow with the number of entries, so each profile keeps
``weekly_xp``, the sum of the learner's entries created after ``LeaderboardWindow.aged_to``:

- Triggers on ``gamification_xpentry`` (insert, delete, and an update of amount, time or
  learner) add or subtract the entry's amount when it was created after ``aged_to``, in the
  writer's transaction. Every writer (the answer path, badges, ``rebuild_progress``, a bulk
  load, raw SQL) is kept right, and the answer path sends no query of its own for it. With no
  window row every entry counts (as if ``aged_to`` were the beginning of time).
- A leaderboard read moves ``aged_to`` to its window start (``window_move``): under the
  window row's lock it subtracts, per learner, the entries that left the window since the
  last read (or adds back, should a read come with an earlier clock) in one statement, so its
  cost follows what moved, not the ledger.

Concurrency on PostgreSQL. An entry created well inside the window is never moved across by
a read, whichever ``aged_to`` its trigger saw. An entry older than six days may be: its
trigger reads the window row ``FOR SHARE``, so a read moving the window waits for that writer
(and then sees its entries) or the writer waits for the read (and then sees the new
``aged_to``). A writer of such entries that locks profiles first must take the window row
first (``window_hold``, as ``progress_rebuild`` does), or it could deadlock with a read, which
locks the window row and then profiles. SQLite serialises writers (``BEGIN IMMEDIATE``).

``weekly_install`` runs from the migration and after every ``migrate`` (see ``apps.py``): it
(re)creates the triggers, makes sure the window row exists and recomputes every learner's
figure. On SQLite the triggers exist only between migrations: a migration that rebuilds the
ledger's table drops them, and one that rebuilds ``accounts_profile`` fails while a trigger
names it, so they are dropped before ``migrate`` and created again after it.
"""

from datetime import datetime, timedelta

DAYS = 7
WINDOW = timedelta(days=DAYS)

WINDOW_TABLE = "gamification_leaderboardwindow"
TRIGGERS = ("insert", "delete", "update")

POSTGRES_INSTALL = """
CREATE OR REPLACE FUNCTION gamification_weekly_xp_sync() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    aged timestamptz;
    near timestamptz := clock_timestamp() - interval '6 days';
    old_entry boolean := false;
BEGIN
    IF TG_OP <> 'INSERT' THEN
        old_entry := OLD.created_at <= near;
    END IF;
    IF TG_OP <> 'DELETE' THEN
        old_entry := old_entry OR NEW.created_at <= near;
    END IF;
    IF old_entry THEN
        SELECT aged_to INTO aged FROM gamification_leaderboardwindow WHERE id = 1 FOR SHARE;
    ELSE
        SELECT aged_to INTO aged FROM gamification_leaderboardwindow WHERE id = 1;
    END IF;
    aged := coalesce(aged, '-infinity');
    IF TG_OP <> 'INSERT' THEN
        IF OLD.created_at > aged THEN
            UPDATE accounts_profile SET weekly_xp = weekly_xp - OLD.amount
                WHERE user_id = OLD.user_id;
        END IF;
    END IF;
    IF TG_OP <> 'DELETE' THEN
        IF NEW.created_at > aged THEN
            UPDATE accounts_profile SET weekly_xp = weekly_xp + NEW.amount
                WHERE user_id = NEW.user_id;
        END IF;
    END IF;
    RETURN NULL;
END $$;
CREATE OR REPLACE TRIGGER gamification_weekly_xp_insert AFTER INSERT ON gamification_xpentry
    FOR EACH ROW EXECUTE FUNCTION gamification_weekly_xp_sync();
CREATE OR REPLACE TRIGGER gamification_weekly_xp_delete AFTER DELETE ON gamification_xpentry
    FOR EACH ROW EXECUTE FUNCTION gamification_weekly_xp_sync();
CREATE OR REPLACE TRIGGER gamification_weekly_xp_update
    AFTER UPDATE OF amount, created_at, user_id ON gamification_xpentry
    FOR EACH ROW EXECUTE FUNCTION gamification_weekly_xp_sync();
"""

POSTGRES_UNINSTALL = """
DROP TRIGGER IF EXISTS gamification_weekly_xp_insert ON gamification_xpentry;
DROP TRIGGER IF EXISTS gamification_weekly_xp_delete ON gamification_xpentry;
DROP TRIGGER IF EXISTS gamification_weekly_xp_update ON gamification_xpentry;
DROP FUNCTION IF EXISTS gamification_weekly_xp_sync();
"""

# Text comparison: Django stores SQLite datetimes as UTC text of one format.
_SQLITE_ADD = """UPDATE accounts_profile SET weekly_xp = weekly_xp {sign} {row}.amount
    WHERE user_id = {row}.user_id AND {row}.created_at >
        coalesce((SELECT aged_to FROM gamification_leaderboardwindow WHERE id = 1), '');"""

SQLITE_INSTALL = (
    f"""CREATE TRIGGER gamification_weekly_xp_insert AFTER INSERT ON gamification_xpentry
    BEGIN {_SQLITE_ADD.format(sign="+", row="NEW")} END""",
    f"""CREATE TRIGGER gamification_weekly_xp_delete AFTER DELETE ON gamification_xpentry
    BEGIN {_SQLITE_ADD.format(sign="-", row="OLD")} END""",
    f"""CREATE TRIGGER gamification_weekly_xp_update
    AFTER UPDATE OF amount, created_at, user_id ON gamification_xpentry
    BEGIN
        {_SQLITE_ADD.format(sign="-", row="OLD")}
        {_SQLITE_ADD.format(sign="+", row="NEW")}
    END""",
)

SQLITE_UNINSTALL = tuple(f"DROP TRIGGER IF EXISTS gamification_weekly_xp_{t}" for t in TRIGGERS)

# Entries created in (low, high], summed per learner, added with ``sign`` (+1 or -1).
MOVE = """
UPDATE accounts_profile SET weekly_xp = weekly_xp + %s * moved.n
FROM (
    SELECT user_id, SUM(amount) AS n FROM gamification_xpentry
    WHERE created_at > %s AND created_at <= %s GROUP BY user_id
) AS moved
WHERE accounts_profile.user_id = moved.user_id
"""

RECOUNT = """
UPDATE accounts_profile SET weekly_xp = coalesce((
    SELECT SUM(amount) FROM gamification_xpentry x
    WHERE x.user_id = accounts_profile.user_id AND x.created_at > %s
), 0)
"""


def window_start(now: datetime) -> datetime:
    """Entries created after this instant are this week's."""
    return now - WINDOW


def _db_time(connection, value: datetime):
    return connection.ops.adapt_datetimefield_value(value)


WINDOW_READ = "SELECT aged_to FROM gamification_leaderboardwindow WHERE id = 1"
WINDOW_WRITE = "UPDATE gamification_leaderboardwindow SET aged_to = %s WHERE id = 1"
WINDOW_ENSURE = """INSERT INTO gamification_leaderboardwindow (id, aged_to) VALUES (1, %s)
    ON CONFLICT (id) DO NOTHING"""


def window_hold(*, connection) -> datetime | None:
    """Lock the window row (shared) until the transaction ends; returns ``aged_to``."""
    lock = " FOR SHARE" if connection.vendor == "postgresql" else ""
    with connection.cursor() as cursor:
        cursor.execute(WINDOW_READ + lock)
        row = cursor.fetchone()
    return row[0] if row else None


def window_move(*, connection, aged_to: datetime, to: datetime) -> None:
    """Move the kept figures from ``aged_to`` to ``to``: the caller holds the window row's
    lock (``select_for_update``) and then writes ``to`` into it."""
    if to >= aged_to:
        sign, low, high = -1, aged_to, to
    else:
        sign, low, high = 1, to, aged_to
    with connection.cursor() as cursor:
        cursor.execute(MOVE, [sign, _db_time(connection, low), _db_time(connection, high)])


def weekly_recount(*, connection, now: datetime) -> None:
    """Start the window at ``now`` - 7 days and recompute every figure from the ledger.

    For whatever rewrote the ledger with the triggers missing; otherwise the figures are
    already exact, and this only moves the window.
    """
    start = _db_time(connection, window_start(now))
    lock = " FOR UPDATE" if connection.vendor == "postgresql" else ""
    with connection.cursor() as cursor:
        cursor.execute(WINDOW_ENSURE, [start])
        cursor.execute(WINDOW_READ + lock)
        cursor.execute(WINDOW_WRITE, [start])
        cursor.execute(RECOUNT, [start])


def weekly_install(*, connection, now: datetime, triggers: bool = True) -> None:
    """Create (or replace) the triggers (unless ``triggers`` is false), then recount;
    idempotent."""
    if triggers:
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute(POSTGRES_INSTALL)
            else:
                for statement in SQLITE_UNINSTALL + SQLITE_INSTALL:
                    cursor.execute(statement)
    weekly_recount(connection=connection, now=now)


def weekly_uninstall(*, connection) -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(POSTGRES_UNINSTALL)
        else:
            for statement in SQLITE_UNINSTALL:
                cursor.execute(statement)
