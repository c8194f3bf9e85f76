"""Password hashing with argon2id (argon2-cffi), and the rules a new password must meet."""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING

from socsec.errors import ConfigError, InputDataError

if TYPE_CHECKING:
    from argon2 import PasswordHasher

MIN_LENGTH = 10
MAX_LENGTH = 1024  # argon2 takes any length; a cap stops a megabyte "password" costing CPU


@functools.cache
def _hasher() -> PasswordHasher:
    try:
        from argon2 import PasswordHasher
    except ImportError:
        raise ConfigError("accounts need argon2-cffi", hint="pip install 'socsec[web]'") from None
    # OWASP's argon2id setting (19 MiB, 2 passes, 1 lane): the library default (64 MiB, 4
    # lanes) took 0.6 s per sign-in on a shared two-core server. Older hashes are upgraded
    # at their next sign-in (needs_rehash).
    return PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)


def check_new(password: str) -> None:
    """Refuse a password too short or too long for a new account.

    Raises:
        InputDataError: with the rule it breaks (never the password).
    """
    if len(password) < MIN_LENGTH:
        raise InputDataError(f"the password must have at least {MIN_LENGTH} characters")
    if len(password) > MAX_LENGTH:
        raise InputDataError(f"the password must have at most {MAX_LENGTH} characters")


def hash_password(password: str) -> str:
    """The argon2id hash of ``password`` (salted; its parameters are encoded in it)."""
    return _hasher().hash(password)


def verify(stored: str, password: str) -> bool:
    """Whether ``password`` matches the ``stored`` hash."""
    from argon2.exceptions import InvalidHashError, VerificationError

    if len(password) > MAX_LENGTH:
        return False
    try:
        return _hasher().verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(stored: str) -> bool:
    """Whether ``stored`` was made with weaker parameters than today's."""
    return _hasher().check_needs_rehash(stored)


@functools.cache
def dummy_hash() -> str:
    """A hash to verify against for an unknown user, so timing does not reveal which names exist."""
    return hash_password("not a real password, only here to spend the same time")
