"""The built-in avatars: simple geometric SVGs drawn for Billings (static/img/avatars/).

A few are free; each of the others unlocks with a badge (named by its slug, so the catalogue
can be edited in the admin without touching code). ``Profile.avatar_key`` holds the choice.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Avatar:
    key: str
    label: str
    badge_slug: str | None = None  # None: free for everyone

    @property
    def static_path(self) -> str:
        return f"img/avatars/{self.key}.svg"


AVATARS: tuple[Avatar, ...] = (
    Avatar("circle", "Blue circle"),
    Avatar("square", "Green square"),
    Avatar("triangle", "Orange triangle"),
    Avatar("hexagon", "Purple hexagon"),
    Avatar("diamond", "Teal diamond", "first-attempt"),
    Avatar("star", "Gold star", "attempts-5"),
    Avatar("shield", "Red shield", "email-verified"),
    Avatar("flame", "Flame", "streak-7"),
    Avatar("rings", "Three rings", "correct-100"),
    Avatar("crown", "Crown", "level-10"),
    Avatar("bolt", "Bolt", "perfect-1"),
    Avatar("mountain", "Mountain", "streak-30"),
)

AVATARS_BY_KEY = {avatar.key: avatar for avatar in AVATARS}
