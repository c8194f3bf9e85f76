"""socsec.web."""
