"""socsec.bibliography: the record store, validation, file formats, duplicates and citations."""

from socsec.bibliography.model import Person, Record, RecordType, Subject
from socsec.bibliography.store import BibliographyStore, ImportReport, get_store

__all__ = [
    "BibliographyStore",
    "ImportReport",
    "Person",
    "Record",
    "RecordType",
    "Subject",
    "get_store",
]
