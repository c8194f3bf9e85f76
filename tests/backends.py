"""The registered search backends as pytest parameters, Elasticsearch marked ``elastic``."""

from __future__ import annotations

import pytest


def backend_params() -> list[object]:
    """One ``pytest.param`` per registered backend name (``registry.names()`` order)."""
    from socsec.indexer import registry

    marks = {"elasticsearch": [pytest.mark.elastic]}
    return [pytest.param(n, marks=marks.get(n, [])) for n in registry.names()]
