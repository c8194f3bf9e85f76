"""socsec.thesaurus."""
