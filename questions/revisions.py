"""What a learner sees of a question, as one JSON document: the snapshot of a revision.

Pure functions (no database access), shared by the admin, the importer, the data migration and
review. The document::

    {"type": "choice", "text": "...", "exhibit": null,
     "choices": [{"id": 7, "letter": "A", "text": "...", "explanation": "...",
                  "is_correct": true}, ...]}

``type`` and ``exhibit`` are there for question types beyond multiple choice: a type that
needs more (an order, a list of values) adds keys; readers ignore keys they do not know.
"""

from collections.abc import Iterable, Mapping

SNAPSHOT_TYPE = "choice"
# What a snapshot keeps of each choice: an option's mark, an order item's right position or a
# match row's right value (``values`` holds a match question's list, in its order).
SNAPSHOT_CHOICE_FIELDS = ("id", "letter", "text", "explanation", "is_correct", "position", "value")


def snapshot_build(
    *, text: str, choices: Iterable[Mapping], kind: str = SNAPSHOT_TYPE, exhibit=None, values=()
) -> dict:
    """The snapshot of a question whose ``choices`` are mappings with id, letter, text,
    explanation and is_correct (in any order: they are stored in letter order)."""
    snapshot = {
        "type": kind,
        "text": text,
        "exhibit": exhibit,
        "choices": [
            {
                "id": choice["id"],
                "letter": choice["letter"],
                "text": choice["text"],
                "explanation": choice["explanation"],
                "is_correct": bool(choice["is_correct"]),
                **({"position": choice.get("position")} if kind == "order" else {}),
                **({"value": choice.get("value", "")} if kind == "match" else {}),
            }
            for choice in sorted(choices, key=lambda c: c["letter"])
        ],
    }
    if kind == "match":
        snapshot["values"] = list(values)
    return snapshot


def snapshot_differs(old: Mapping | None, new: Mapping) -> bool:
    """Whether a learner would see something else: text, exhibit, choices or key."""
    if old is None:
        return True
    keys = ("type", "text", "exhibit", "values", "choices")
    return any(old.get(key) != new.get(key) for key in keys)


def snapshot_choice_rows(snapshot: Mapping) -> dict[int, dict]:
    """Choice id -> row (id, letter, text, explanation, is_correct, position, value), as the
    engine reads them."""
    return {
        choice["id"]: {"position": None, "value": "", **choice}
        for choice in snapshot.get("choices", [])
    }
