"""The application layer: every use case that spans the stores.

Faces (``socsec.cli``, ``socsec.web``) call one function here per user action. A use case
changes its store of record, then runs the follow-up work registered on its
:class:`~socsec.app.uow.UnitOfWork` (index upkeep, re-tagging): no face can forget it, and
a write that fails indexes nothing. See docs/ARCHITECTURE.md.
"""

from socsec.app.uow import Outcome

__all__ = ["Outcome"]
