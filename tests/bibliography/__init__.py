"""Tests of socsec.bibliography and `socsec bib`."""
