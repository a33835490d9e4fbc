"""The answer path's statements: the locked read and the item's and the attempt's writes.

The answer is the request learners send most, so its statements are written here once and
kept, instead of being rebuilt and recompiled by the ORM on every answer.

**The read.**
Every answer starts by reading, under the attempt's lock, the item answered (and in a
simulation the item shown next) with its question, objective and domain, the attempt with its
exam and the learner's profile, whether the question is bookmarked or held back, the learner's
review card of it, its choices and the attempt's navigator. Built as a queryset, Django
rebuilt and recompiled that statement on every answer, which cost three times what running it
did. Here its text is made once per database and number of positions and kept; each answer
only runs it and builds the models from the row, with the same conversions Django applies.

What is selected of each model comes from the model itself, so a field added later is read
with no change here. The one rule inside, which questions the open simulation holds back, is
compiled from ``exams.selectors.questions_held``, its only home.

**The writes.** The item's answer, guarded by what was read (``item_answer_write``), and the
attempt's position (``position_write``): plain UPDATEs whose values are prepared by the models'
own fields, as the ORM would.
"""

import functools
import json
import weakref
from dataclasses import dataclass

from django.db import DEFAULT_DB_ALIAS, connection, connections

from accounts.models import Profile
from exams.models import Attempt, AttemptItem
from exams.selectors import questions_held
from questions.models import Domain, Exam, Objective, Question
from study import selectors as study_selectors
from study.models import Card

# The choices of the row's question, as one JSON array (``exams.services._choice_rows_of``).
CHOICES_SQL = {
    "postgresql": """(SELECT json_agg(json_build_object('id', c.id, 'text', c.text,
        'explanation', c.explanation, 'is_correct', c.is_correct, 'position', c.position,
        'value', c.value)) FROM questions_choice c
        WHERE c.question_id = exams_attemptitem.question_id)""",
    "sqlite": """(SELECT json_group_array(json_object('id', c.id, 'text', c.text,
        'explanation', c.explanation, 'is_correct', c.is_correct, 'position', c.position,
        'value', c.value)) FROM questions_choice c
        WHERE c.question_id = exams_attemptitem.question_id)""",
}

# The navigator of the attempt (position, answered, flagged, a selection made), as one JSON
# array computed beside the row that is read: no second query and no model per item. Only the
# row of the position answered carries it (``%s``); the others read NULL.
NAVIGATOR_SQL = {
    "postgresql": """CASE WHEN exams_attemptitem.position = %s THEN (SELECT json_agg(
        json_build_array(n.position, n.answered_at IS NOT NULL, n.flagged,
        jsonb_array_length(n.selected) > 0) ORDER BY n.position)
        FROM exams_attemptitem n WHERE n.attempt_id = exams_attemptitem.attempt_id) END""",
    "sqlite": """CASE WHEN exams_attemptitem.position = %s THEN (SELECT json_group_array(
        json_array(n.position, n.answered_at IS NOT NULL, n.flagged,
        json_array_length(n.selected) > 0))
        FROM exams_attemptitem n WHERE n.attempt_id = exams_attemptitem.attempt_id) END""",
}

# A user id no row has: compiled into the held-back subquery to find where its parameter goes.
_USER_MARK = -731_947


@dataclass(frozen=True)
class _Part:
    """One model of the row: where its columns are, the attribute and field of each, and the
    table they are read from."""

    model: type
    start: int
    attnames: tuple[str, ...]
    fields: tuple
    table: str

    @property
    def end(self) -> int:
        return self.start + len(self.attnames)

    def values(self, row, conversions) -> list:
        """The part's values in ``row``, converted as the ORM converts them."""
        out = list(row[self.start : self.end])
        for index, pairs in enumerate(conversions[self.start]):
            if pairs and out[index] is not None:
                for convert, expression in pairs:
                    out[index] = convert(out[index], expression, connection)
        return out

    def build(self, row, conversions):
        values = self.values(row, conversions)
        return self.model.from_db(connection.alias, self.attnames, values)


@dataclass(frozen=True)
class _Statement:
    sql: str
    parts: dict[str, _Part]
    card: _Part  # the review card's columns, set on the item as ``card_<field>``
    extra: int  # where bookmarked, held, navigator and choices_json start
    held_params: tuple  # the held-back subquery's parameters, ``_USER_MARK`` for the learner


# The conversions of each statement, per connection: converters are methods of a connection's
# backend, and each thread has its own connection.
_conversions_kept: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _conversions(statement: _Statement) -> dict[int, tuple]:
    """Each part's converters (by its start), per column: ((converter, expression), ...)."""
    wrapper = connections[DEFAULT_DB_ALIAS]
    kept = _conversions_kept.setdefault(wrapper, {})
    found = kept.get(statement.sql)
    if found is None:
        found = kept[statement.sql] = {
            part.start: tuple(_column_converters(wrapper, f, part.table) for f in part.fields)
            for part in (*statement.parts.values(), statement.card)
        }
    return found


def _column_converters(wrapper, field, table: str) -> tuple:
    expression = field.get_col(table)
    found = wrapper.ops.get_db_converters(expression) + field.get_db_converters(wrapper)
    return tuple((convert, expression) for convert in found)


# The models read, in the row's order, with the table each is read from.
_MODELS = (
    ("item", AttemptItem),
    ("attempt", Attempt),
    ("exam", Exam),
    ("profile", Profile),
    ("question", Question),
    ("objective", Objective),
    ("domain", Domain),
)


@functools.cache
def _statement(vendor: str, others: int) -> _Statement:
    """The statement for ``vendor`` with ``others`` positions besides the one answered."""
    quote = connection.ops.quote_name
    columns, parts, start = [], {}, 0
    for name, model in _MODELS:
        table = model._meta.db_table
        fields = model._meta.concrete_fields
        columns += [f"{quote(table)}.{quote(field.column)}" for field in fields]
        parts[name] = _Part(model, start, tuple(f.attname for f in fields), tuple(fields), table)
        start += len(fields)
    card_fields = [Card._meta.get_field(name) for name in study_selectors.CARD_FIELDS]
    columns += [f"study_card.{quote(field.column)}" for field in card_fields]
    card = _Part(
        Card,
        start,
        tuple(f"card_{field.name}" for field in card_fields),
        tuple(card_fields),
        "study_card",
    )
    start += len(card_fields)
    held_sql, held_params = questions_held(user_id=_USER_MARK).query.sql_with_params()
    columns += [
        "EXISTS(SELECT 1 FROM exams_bookmark b WHERE b.user_id = %s"
        " AND b.question_id = exams_attemptitem.question_id)",
        "CASE WHEN exams_attempt.mode = %s THEN false"
        f" ELSE exams_attemptitem.question_id IN ({held_sql}) END",
        NAVIGATOR_SQL[vendor],
        CHOICES_SQL[vendor],
    ]
    others_sql = ""
    if others:
        marks = ", ".join(["%s"] * others)
        others_sql = f" OR (exams_attempt.mode = %s AND exams_attemptitem.position IN ({marks}))"
    lock = " FOR UPDATE OF exams_attempt" if connection.features.has_select_for_update_of else ""
    # Every piece is a constant of this module or a name from the models: no input.
    sql = (
        f"SELECT {', '.join(columns)}"  # noqa: S608
        " FROM exams_attemptitem"
        " INNER JOIN exams_attempt ON exams_attempt.id = exams_attemptitem.attempt_id"
        " INNER JOIN questions_exam ON questions_exam.id = exams_attempt.exam_id"
        " LEFT OUTER JOIN accounts_profile"
        " ON accounts_profile.user_id = exams_attempt.user_id"
        " INNER JOIN questions_question ON questions_question.id = exams_attemptitem.question_id"
        " INNER JOIN questions_objective"
        " ON questions_objective.id = questions_question.objective_id"
        " INNER JOIN questions_domain ON questions_domain.id = questions_objective.domain_id"
        " LEFT OUTER JOIN study_card ON study_card.question_id = exams_attemptitem.question_id"
        " AND study_card.user_id = %s"
        " WHERE exams_attemptitem.attempt_id = %s AND exams_attempt.user_id = %s"
        f" AND (exams_attemptitem.position = %s{others_sql})"
        f" ORDER BY exams_attemptitem.position{lock}"
    )
    return _Statement(sql, parts, card, start, tuple(held_params))


def locked_items_read(
    *, attempt_id: int, user_id: int, position: int, others=()
) -> tuple[list[AttemptItem], Profile | None]:
    """The attempt's items at ``position`` and (in a simulation) at ``others``, in order, and
    the learner's profile (None without one, or with no such item).

    Runs inside the caller's transaction and locks the attempt's row (PostgreSQL). Each item
    comes with ``attempt`` (with ``exam``) and ``question`` (with ``objective`` and its
    ``domain``) set, and carries
    ``bookmarked``, ``held``, ``navigator`` (the row at ``position`` only; else None),
    ``choices_json`` and the ``card_<field>`` columns of ``study.selectors.card_annotate``.
    """
    others = sorted(set(others))
    statement = _statement(connection.vendor, len(others))
    held_params = [user_id if value == _USER_MARK else value for value in statement.held_params]
    params = [
        user_id,  # bookmarked
        Attempt.Mode.SIMULATION.value,  # held: never inside a simulation
        *held_params,
        position,  # navigator
        user_id,  # study card
        attempt_id,
        user_id,
        position,
    ]
    if others:
        params += [Attempt.Mode.SIMULATION.value, *others]
    with connection.cursor() as cursor:
        cursor.execute(statement.sql, params)
        rows = cursor.fetchall()
    items, attempt, profile = [], None, None
    parts, card, conversions = statement.parts, statement.card, _conversions(statement)
    for row in rows:
        item = parts["item"].build(row, conversions)
        if attempt is None:
            attempt = parts["attempt"].build(row, conversions)
            attempt.exam = parts["exam"].build(row, conversions)
            if row[parts["profile"].start] is not None:
                profile = parts["profile"].build(row, conversions)
        item.attempt = attempt
        question = parts["question"].build(row, conversions)
        objective = parts["objective"].build(row, conversions)
        objective.domain = parts["domain"].build(row, conversions)
        question.objective = objective
        item.question = question
        for name, value in zip(card.attnames, card.values(row, conversions), strict=True):
            setattr(item, name, value)
        bookmarked, held, navigator, choices = row[statement.extra : statement.extra + 4]
        item.bookmarked, item.held = bool(bookmarked), bool(held)
        item.navigator = json.loads(navigator) if isinstance(navigator, str) else navigator
        item.choices_json = choices
        items.append(item)
    return items, profile


# The guard of the item's write: the item still holds the answer it was read with (in
# PostgreSQL, an item read after waiting for the attempt's lock may predate the write of the
# request that held it). Two shapes, as the item was read unanswered or answered.
_AS_READ = " WHERE id = %s AND selected = %s AND response = %s AND answered_at "
AS_READ = {True: _AS_READ + "IS NULL", False: _AS_READ + "= %s"}
ANSWER_COLUMNS = ("selected", "response", "score", "is_correct", "answered_at", "confidence")
ITEM_WRITE = (
    "UPDATE exams_attemptitem SET selected = %s, response = %s, score = %s, is_correct = %s,"
    " answered_at = %s, confidence = %s"
)


def _prepared(name: str, value):
    return AttemptItem._meta.get_field(name).get_db_prep_save(value, connection)


def _as_read(item: AttemptItem) -> tuple[str, list]:
    params = [item.pk, _prepared("selected", item.selected), _prepared("response", item.response)]
    unanswered = item.answered_at is None
    if not unanswered:
        params.append(_prepared("answered_at", item.answered_at))
    return AS_READ[unanswered], params


def item_as_read(item: AttemptItem) -> bool:
    """Whether ``item`` still holds the answer it was read with."""
    guard, params = _as_read(item)
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM exams_attemptitem" + guard, params)  # noqa: S608
        return cursor.fetchone() is not None


def item_answer_write(item: AttemptItem, **answer) -> bool:
    """Write ``answer`` (a value for each of ``ANSWER_COLUMNS``) on ``item`` if it still holds
    the answer it was read with (``item_as_read``); whether it did."""
    guard, params = _as_read(item)
    values = [_prepared(name, answer[name]) for name in ANSWER_COLUMNS]
    with connection.cursor() as cursor:
        cursor.execute(ITEM_WRITE + guard, values + params)
        return cursor.rowcount == 1


def position_write(*, attempt_id: int, position: int) -> None:
    """Remember where the learner is in the attempt."""
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE exams_attempt SET current_position = %s WHERE id = %s", [position, attempt_id]
        )
