"""Users, roles and API token descriptions (no secrets: those stay in the store as hashes)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from socsec.errors import InputDataError


class Role(StrEnum):
    """What a user may do; each role includes the ones before it.

    reader: read (when anonymous reading is off); editor: edit the bibliography and the
    thesaurus, review suggestions; admin: also users, imports and settings.
    """

    reader = "reader"
    editor = "editor"
    admin = "admin"

    @property
    def rank(self) -> int:
        """0 reader, 1 editor, 2 admin."""
        return ROLE_ORDER.index(self)

    def allows(self, needed: Role) -> bool:
        """Whether this role may do what ``needed`` may."""
        return self.rank >= needed.rank

    @classmethod
    def parse(cls, value: str) -> Role:
        """The role named ``value``.

        Raises:
            InputDataError: not one of reader, editor, admin.
        """
        try:
            return cls(value.strip().lower())
        except ValueError:
            raise InputDataError(
                f"unknown role {value[:40]!r}: choose reader, editor or admin"
            ) from None


ROLE_ORDER = (Role.reader, Role.editor, Role.admin)


@dataclass(frozen=True)
class User:
    """A signed-in (or listed) user.

    Attributes:
        name: the login name, also recorded in the history of every change the user makes.
        role: what the user may do.
        created: ISO-8601 UTC time the account was added.
    """

    name: str
    role: Role
    created: str

    def can(self, needed: Role) -> bool:
        """Whether the user's role allows ``needed``."""
        return self.role.allows(needed)

    def to_json(self) -> dict[str, str]:
        """The JSON shape (``socsec user list --json``)."""
        return {"name": self.name, "role": self.role.value, "created": self.created}


@dataclass(frozen=True)
class TokenInfo:
    """An API token as listed: never the token itself.

    Attributes:
        id: the token's number (to revoke it).
        user: whose token it is.
        name: what the owner called it ("harvest script").
        created: when it was made.
        last_used: when it last authenticated a request (None: never).
        revoked: when it was revoked (None: still valid).
    """

    id: int
    user: str
    name: str
    created: str
    last_used: str | None
    revoked: str | None

    def to_json(self) -> dict[str, object]:
        """The JSON shape (``socsec user token list --json``)."""
        return {
            "id": self.id,
            "user": self.user,
            "name": self.name,
            "created": self.created,
            "last_used": self.last_used,
            "revoked": self.revoked,
        }
