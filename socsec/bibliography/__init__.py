"""socsec.bibliography."""
