"""Search: enrichment of records with thesaurus concepts, and the sqlite / Elasticsearch backends.

Entry points: :class:`socsec.indexer.service.SearchService` (search, rebuild, status,
update) and :mod:`socsec.indexer.registry` (backends by name).
"""
