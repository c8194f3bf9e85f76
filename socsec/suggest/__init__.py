"""Subject suggestion: thesaurus concepts for records, lexical, associative and ensemble."""

from socsec.suggest.model import Document, Evidence, Method, Suggestion

__all__ = ["Document", "Evidence", "Method", "Suggestion"]
