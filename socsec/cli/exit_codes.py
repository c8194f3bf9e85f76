"""Exit codes of the `socsec` command, documented in the README."""

from enum import IntEnum


class ExitCode(IntEnum):
    """Process exit statuses; 2 is Click's usage error and is never reused."""

    OK = 0
    UNEXPECTED = 1
    USAGE = 2
    QUALITY_GATE = 3
    NOT_FOUND = 4
    INVALID_INPUT = 5
    CONFIG = 6
    BACKEND_UNAVAILABLE = 7
