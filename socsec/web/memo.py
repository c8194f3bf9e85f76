"""A bounded memo of encoded lookup answers, shared by the requests of one server process.

A search box asks for the same prefixes again and again ("pen", "pens", "pensi"...), and a
lookup with all of EuroVoc costs milliseconds of CPU under the GIL, while answering from
memory costs microseconds. An answer is keyed by the identity of the compiled cache file
(a thesaurus import or edit replaces it), so a stale answer is never served.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable

# Answers kept: a few thousand typed prefixes of a busy search box, a few MB at most.
MAX_ENTRIES = 4096
# Bodies larger than this (a lookup with limit=100) are not kept: rare and costly in memory.
MAX_BODY = 32 * 1024


class AnswerMemo:
    """A least-recently-used map from a request key to its encoded JSON body.

    Args:
        max_entries: the most answers kept; the least recently used goes first.
    """

    def __init__(self, max_entries: int = MAX_ENTRIES) -> None:
        self._max = max_entries
        self._items: OrderedDict[Hashable, bytes] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def get(self, key: Hashable) -> bytes | None:
        """The body stored under ``key``, or None (counted as a miss)."""
        with self._lock:
            body = self._items.get(key)
            if body is None:
                self.misses += 1
                return None
            self._items.move_to_end(key)
            self.hits += 1
            return body

    def put(self, key: Hashable, body: bytes) -> None:
        """Keep ``body`` under ``key`` (unless it is larger than :data:`MAX_BODY`)."""
        if len(body) > MAX_BODY:
            return
        with self._lock:
            self._items[key] = body
            self._items.move_to_end(key)
            while len(self._items) > self._max:
                self._items.popitem(last=False)

    def __len__(self) -> int:
        return len(self._items)
