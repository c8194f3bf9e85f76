"""socsec: a social security bibliography joined to an EN/FR/ES SKOS thesaurus."""

from socsec.config import Settings
from socsec.errors import (
    BackendUnavailable,
    ConfigError,
    IndexingError,
    InputDataError,
    NotFoundError,
    QualityGateFailed,
    SocsecError,
)

__version__ = "0.1.0"

__all__ = [
    "BackendUnavailable",
    "ConfigError",
    "IndexingError",
    "InputDataError",
    "NotFoundError",
    "QualityGateFailed",
    "Settings",
    "SocsecError",
    "__version__",
]
