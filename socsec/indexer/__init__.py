"""socsec.indexer."""
