"""socsec.data."""
