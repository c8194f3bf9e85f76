"""Tests of socsec.thesaurus and `socsec thesaurus`."""
