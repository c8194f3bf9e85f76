"""Header values weighted by q (Accept, Accept-Language), as RFC 9110 section 12.4.2 reads them."""

from __future__ import annotations

# A header lists at most this many values here: a client cannot make us parse thousands.
MAX_VALUES = 20


def weighted(header: str) -> list[tuple[str, float]]:
    """Each value of ``header`` (parameters dropped) with its q, in order; a bad q counts 0."""
    out = []
    for part in header.split(",")[:MAX_VALUES]:
        fields = [f.strip() for f in part.split(";")]
        q = 1.0
        for f in fields[1:]:
            if f.startswith("q="):
                try:
                    q = float(f[2:])
                except ValueError:
                    q = 0.0
        out.append((fields[0], q))
    return out
