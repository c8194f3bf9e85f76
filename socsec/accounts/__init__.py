"""Accounts of a team service: users with roles, password hashes, API tokens, sessions.

The store is ``accounts.sqlite`` in the data dir (:class:`~socsec.accounts.store.AccountStore`).
Secrets are kept only as hashes: passwords with argon2id, API tokens and session ids with
SHA-256 (they are 256-bit random values, so a fast hash is enough). Nothing here prints or logs
a password or a token.
"""

from socsec.accounts.model import Role, TokenInfo, User

__all__ = ["Role", "TokenInfo", "User"]
