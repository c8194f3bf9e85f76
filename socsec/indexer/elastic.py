"""The Elasticsearch backend; the only module of socsec that imports ``elasticsearch``.

Documents arrive pre-analysed (folded and stemmed by :mod:`socsec.analysis`), so the text
fields use core's ``whitespace`` analyzer and work on clusters without analysis-common
(Elastic's integ-test build). Each build goes to a new versioned index behind an alias,
switched in one ``update_aliases`` call.
"""

from __future__ import annotations

import contextlib
import re
import threading
import time
from collections.abc import Iterable, Iterator, Mapping
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any, ClassVar

from elastic_transport import ConnectionError as TransportConnectionError
from elastic_transport import ConnectionTimeout
from elasticsearch import (
    ApiError,
    AuthenticationException,
    AuthorizationException,
    BadRequestError,
    Elasticsearch,
    helpers,
)
from elasticsearch import NotFoundError as EsNotFoundError

from socsec.config import redact_url
from socsec.errors import (
    BackendUnavailable,
    ConfigError,
    IndexingError,
    NotFoundError,
    ShardsLost,
)
from socsec.indexer.base import (
    CONCEPT_LABEL_BONUS,
    CONCEPT_TIERS,
    CONCEPT_WEIGHTS,
    FIELD_WEIGHTS,
    TEXT_FIELDS,
    BackendConfig,
    Capabilities,
    Facets,
    Hit,
    IndexDoc,
    IndexInfo,
    IndexReport,
    ProgressFn,
    Query,
    SearchResult,
    Sort,
)

CHUNK_SIZE = 500
MAX_RETRIES = 8  # per chunk, on 429, 503 and a lost node: backoff 0.5 s doubling to 30 s
INITIAL_BACKOFF = 0.5
BULK_SHARD_WAIT = "15s"  # how long one bulk waits for an unavailable primary (server default 1m)
MAX_BACKOFF = 30.0
# Item errors worth a retry: the cluster is busy or a shard copy is moving after a node loss.
RETRY_STATUS = frozenset({429, 502, 503, 504})
# Physical indices socsec creates: <alias>-<UTC stamp to the microsecond>.
STAMP = re.compile(r"-\d{20}$")
YEAR_FACET_SIZE = 500
FOLDING_ANALYZER = "socsec_folded"


# The field ranking each kind of CONCEPT_WEIGHTS: "subjects" holds every subject (filters,
# facets), so the manual ones are ranked from a field of their own.
CONCEPT_FIELDS = {
    "subjects": "manual_subjects",
    "accepted": "accepted_subjects",
    "automatic": "automatic_subjects",
    "detected": "detected",
    "ancestors": "ancestors",
}
# Added to an index created before subjects had provenance (a mapping only grows).
PROVENANCE_PROPERTIES = {
    "manual_subjects": {"type": "keyword"},
    "accepted_subjects": {"type": "keyword"},
    "automatic_subjects": {"type": "keyword"},
}


def _source(doc: IndexDoc) -> dict[str, object]:
    return {
        "id": doc.id,
        "type": doc.type,
        "year": doc.year,
        "language": doc.language,
        "author_keys": list(doc.author_keys),
        "subjects": list(doc.subjects),
        **{CONCEPT_FIELDS[k]: list(v) for k, v in doc.subjects_by_kind().items()},
        "ancestors": list(doc.ancestors),
        "detected": list(doc.detected),
        "notations": list(doc.notations),
        "fingerprint": doc.fingerprint,
        "modified": doc.modified,
        "title_raw": str(doc.display.get("title") or ""),
        "display": dict(doc.display),
        **{f: doc.text.get(f, "") for f in TEXT_FIELDS},
    }


def index_body(*, folding: bool, shards: int = 1, replicas: int = 0) -> dict[str, Any]:
    """Settings and explicit mapping of a socsec index.

    Args:
        folding: the cluster has analysis-common (``asciifolding``), so the raw title also
            gets a folded multi-field; without it only core analyzers are used.
        shards: primary shards.
        replicas: replicas per shard.
    """
    keyword = {"type": "keyword"}
    raw_title: dict[str, Any] = {"type": "text", "analyzer": "standard"}
    settings: dict[str, Any] = {"number_of_shards": shards, "number_of_replicas": replicas}
    if folding:
        settings["analysis"] = {
            "analyzer": {
                FOLDING_ANALYZER: {
                    "type": "custom",
                    "tokenizer": "standard",
                    "filter": ["lowercase", "asciifolding"],
                }
            }
        }
        raw_title["fields"] = {"folded": {"type": "text", "analyzer": FOLDING_ANALYZER}}
    properties: dict[str, Any] = {
        "id": keyword,
        "type": keyword,
        "year": {"type": "integer"},
        "language": keyword,
        "author_keys": keyword,
        "subjects": keyword,
        **PROVENANCE_PROPERTIES,
        "ancestors": keyword,
        "detected": keyword,
        "notations": keyword,
        "fingerprint": {"type": "keyword", "index": False},
        "modified": {"type": "keyword", "index": False},
        "title_raw": raw_title,
        "display": {"type": "object", "enabled": False},
    }
    for name in TEXT_FIELDS:
        # Our tokens are already folded and stemmed: split on spaces, nothing more.
        properties[name] = {
            "type": "text",
            "analyzer": "whitespace",
            "fields": {"std": {"type": "text", "analyzer": "standard"}},
        }
    return {"settings": settings, "mappings": {"dynamic": "strict", "properties": properties}}


def build_query(query: Query) -> dict[str, Any]:
    """The Elasticsearch query DSL of an analysed query (no query-string syntax anywhere)."""
    filters: list[dict[str, Any]] = []
    if query.year_from is not None or query.year_to is not None:
        bounds = {}
        if query.year_from is not None:
            bounds["gte"] = query.year_from
        if query.year_to is not None:
            bounds["lte"] = query.year_to
        filters.append({"range": {"year": bounds}})
    if query.types:
        filters.append({"terms": {"type": list(query.types)}})
    if query.languages:
        filters.append({"terms": {"language": list(query.languages)}})
    if query.author:
        filters.append({"term": {"author_keys": query.author}})
    if query.concept_filter:
        field = "ancestors" if query.include_narrower else "subjects"
        held: dict[str, Any] = {"terms": {field: list(query.concept_filter)}}
        if query.concept_detected:  # or named in the title or abstract
            named = {"terms": {"detected": list(query.concept_detected)}}
            held = {"bool": {"should": [held, named], "minimum_should_match": 1}}
        filters.append(held)
    if query.concept_ranked:
        return _concept_query(query, filters)
    should: list[dict[str, Any]] = []
    if query.groups:
        fields = [f"{f}^{FIELD_WEIGHTS[f]}" for f in query.fields]
        must = [
            {"multi_match": {"query": " ".join(g), "fields": fields, "type": "most_fields"}}
            for g in query.groups
        ]
        should.append({"bool": {"must": must}})
    if query.concepts:
        for kind, weight in CONCEPT_WEIGHTS.items():
            should.append({"terms": {CONCEPT_FIELDS[kind]: list(query.concepts), "boost": weight}})
    if not should:
        return {"bool": {"filter": filters}} if filters else {"match_all": {}}
    return {"bool": {"should": should, "minimum_should_match": 1, "filter": filters}}


def _concept_query(query: Query, filters: list[dict[str, Any]]) -> dict[str, Any]:
    """A search by concept alone: the strongest tier the record holds the concept in, plus
    the label bonus (``CONCEPT_TIERS``; the sqlite backend scores alike, without scripts).
    """
    exact = list(query.concept_filter)
    tiers: list[tuple[str, list[str], float]] = [
        (CONCEPT_FIELDS["subjects"], exact, CONCEPT_TIERS["subjects"]),
        (CONCEPT_FIELDS["accepted"], exact, CONCEPT_TIERS["accepted"]),
        (CONCEPT_FIELDS["automatic"], exact, CONCEPT_TIERS["automatic"]),
    ]
    if query.include_narrower:  # "ancestors" holds the subjects too: the max keeps theirs
        tiers.append(("ancestors", exact, CONCEPT_TIERS["narrower"]))
    if query.concept_detected:
        tiers.append(("detected", list(query.concept_detected), CONCEPT_TIERS["detected"]))
    tier = {
        "function_score": {
            "query": {"match_all": {}},
            "functions": [{"filter": {"terms": {f: v}}, "weight": w} for f, v, w in tiers],
            "score_mode": "max",
            "boost_mode": "replace",
        }
    }
    bonus: list[dict[str, Any]] = []
    for field, weight in CONCEPT_LABEL_BONUS.items() if query.concept_labels else ():
        labels = [
            {"bool": {"must": [{"match": {field: " ".join(g)}} for g in label]}}
            for label in query.concept_labels
        ]
        named = {"bool": {"should": labels, "minimum_should_match": 1}}
        bonus.append({"constant_score": {"filter": named, "boost": weight}})
    return {"bool": {"must": [tier], "should": bonus, "filter": filters}}


def _sort(sort: Sort) -> list[dict[str, Any]]:
    if sort is Sort.relevance:
        first: dict[str, Any] = {"_score": {"order": "desc"}}
    else:
        order = "asc" if sort is Sort.year else "desc"
        first = {"year": {"order": order, "missing": "_last"}}
    return [first, {"id": {"order": "asc"}}]


def _aggs(size: int) -> dict[str, Any]:
    by_count = [{"_count": "desc"}, {"_key": "asc"}]
    return {
        "subjects": {"terms": {"field": "subjects", "size": size, "order": by_count}},
        "year": {"terms": {"field": "year", "size": YEAR_FACET_SIZE, "order": {"_key": "asc"}}},
        "type": {"terms": {"field": "type", "size": 50, "order": by_count}},
        "language": {"terms": {"field": "language", "size": 50, "order": by_count}},
    }


def _buckets(aggs: Mapping[str, Any], name: str) -> list[tuple[Any, int]]:
    return [(b["key"], int(b["doc_count"])) for b in aggs[name]["buckets"]]


def _node_class(connect_timeout: float) -> type[Any]:
    """The HTTP node class with a connect timeout of its own (the client has only one)."""
    import urllib3
    from elastic_transport import Urllib3HttpNode

    class Node(Urllib3HttpNode):
        def __init__(self, config: Any) -> None:
            super().__init__(config)
            # A stopped (SIGSTOP) server still accepts connections: the read timeout counts.
            self.pool.timeout = urllib3.Timeout(
                connect=connect_timeout, read=config.request_timeout
            )

    return Node


def _reason(error: object) -> str:
    if isinstance(error, dict):
        return f"{error.get('type', 'error')}: {error.get('reason', error)}"
    return str(error)


def _backoff(attempt: int) -> float:
    return float(min(INITIAL_BACKOFF * 2**attempt, MAX_BACKOFF))


def failures_after(pending: list[tuple[str, Any]], last: str) -> list[str]:
    """Failure lines of documents still refused after every retry."""
    return [
        f"{doc_id}\tstill failing after {MAX_RETRIES} retries ({last})" for doc_id, _ in pending
    ]


class ElasticBackend:
    """Documents in versioned Elasticsearch indices behind the alias ``config.index``."""

    name: ClassVar[str] = "elasticsearch"
    capabilities: ClassVar[Capabilities] = Capabilities(server=True)

    def __init__(self, config: BackendConfig) -> None:
        if not config.url:
            raise ConfigError("The elasticsearch backend needs elasticsearch.url")
        hosts = [u.strip() for u in config.url.split(",") if u.strip()]
        # Only the redacted form is ever kept for messages: the URL may hold a password.
        self.url = redact_url(config.url)
        self.alias = config.index
        self.config = config
        auth: dict[str, Any] = {}
        if config.api_key:
            auth["api_key"] = config.api_key
        elif config.username:
            auth["basic_auth"] = (config.username, config.password or "")
        if config.ca_certs:
            auth["ca_certs"] = config.ca_certs
        # Interactive calls: a short timeout and no retry on timeout, so a hung server costs
        # seconds; connection errors move on to the next node of a list.
        self.client = Elasticsearch(
            hosts,
            request_timeout=config.timeout,
            max_retries=max(1, len(hosts)),
            retry_on_timeout=False,
            retry_on_status=(502, 503, 504),
            node_class=_node_class(config.connect_timeout),
            **auth,
        )
        # Bulk calls: a long timeout; retries and backoff are ours (see _send).
        self.bulk_client = self.client.options(
            request_timeout=config.bulk_timeout, max_retries=max(1, len(hosts))
        )
        self._folding: bool | None = None
        # Elasticsearch refuses from + size beyond index.max_result_window (10,000 unless the
        # cluster's admin raised it); deeper pages are reached by walking with search_after.
        self.result_window = 10_000

    # -- plumbing ----------------------------------------------------------------------------
    @contextmanager
    def _errors(self) -> Iterator[None]:
        """Translate client exceptions into socsec's typed errors, naming the URL."""
        try:
            yield
        except (TransportConnectionError, ConnectionTimeout) as exc:
            raise BackendUnavailable(
                f"Elasticsearch at {self.url} is unreachable ({type(exc).__name__})",
                hint="start the server or fix elasticsearch.url (socsec config show)",
            ) from exc
        except (AuthenticationException, AuthorizationException) as exc:
            raise ConfigError(
                f"Elasticsearch at {self.url} refused the credentials ({exc.meta.status})",
                hint="check elasticsearch.api_key or username/password",
            ) from exc
        except EsNotFoundError as exc:
            raise NotFoundError(
                f"Index '{self.alias}' not found at {self.url}",
                hint="create it with: socsec index rebuild",
            ) from exc
        except ApiError as exc:
            raise BackendUnavailable(
                f"Elasticsearch at {self.url} rejected a request: {exc.message} ({exc.meta.status})"
            ) from exc

    def has_folding(self) -> bool:
        """Whether the cluster has analysis-common (probed with ``_analyze`` of asciifolding)."""
        if self._folding is None:
            with self._errors():
                try:
                    self.client.indices.analyze(
                        tokenizer="standard", filter=["asciifolding"], text="é"
                    )
                    self._folding = True
                except BadRequestError:
                    self._folding = False
        return self._folding

    def _physical(self) -> list[str]:
        with self._errors():
            if not self.client.indices.exists_alias(name=self.alias):
                return []
            return sorted(self.client.indices.get_alias(name=self.alias).body)

    def _create(self, meta: Mapping[str, str], *, loading: bool = False) -> str:
        stamp = datetime.now(UTC).strftime("%Y%m%d%H%M%S%f")
        name = f"{self.alias}-{stamp}"
        replicas = 0 if loading else self.config.replicas
        body = index_body(folding=self.has_folding(), shards=self.config.shards, replicas=replicas)
        if loading:
            # Nobody searches the new index before the alias moves: skip periodic refreshes,
            # and copy to replicas once, after the load, not document by document.
            body["settings"]["refresh_interval"] = "-1"
        body["mappings"]["_meta"] = dict(meta)
        with self._errors():
            self.bulk_client.indices.create(
                index=name, settings=body["settings"], mappings=body["mappings"]
            )
        return name

    # -- lifecycle ---------------------------------------------------------------------------
    def ensure_schema(self) -> None:
        """Create a versioned index behind the alias when the alias does not exist."""
        if self._physical():
            with self._errors():
                self.bulk_client.indices.put_mapping(
                    index=self.alias, properties=PROVENANCE_PROPERTIES
                )
            return
        name = self._create({})
        with self._errors():
            self.bulk_client.indices.update_aliases(
                actions=[{"add": {"index": name, "alias": self.alias}}]
            )

    def close(self) -> None:
        """Close the client's connections."""
        self.client.close()

    def drop(self) -> None:
        """Delete every index behind the alias."""
        for name in self._physical():
            with self._errors():
                self.bulk_client.indices.delete(index=name)

    def _send(self, index: str, chunk: list[tuple[str, bytes]], loading: bool) -> list[str]:
        """Index one chunk, retrying what the cluster could not take yet; returns failures.

        ``chunk`` holds (record id, its two NDJSON lines: action and source), serialised by
        the producer (see :meth:`_bulk`), so a sender thread only joins bytes and waits.

        Whole-request failures (connection lost, node gone, 429/5xx) and item failures with
        a retryable status are sent again after a backoff (0.5 s doubling to 30 s); ids make
        a resend idempotent. Other item failures are final: "<record id>: <reason>".
        A red index raises :class:`ShardsLost`: at the first retry when ``loading`` (a
        rebuild's new index has no replicas, so red means a primary died with its node),
        from the third otherwise (a live index is red for a while when a cluster restarts).
        """
        pending = chunk
        last = ""
        for attempt in range(MAX_RETRIES + 1):
            if attempt:
                time.sleep(_backoff(attempt - 1))
            try:
                # NDJSON bytes pass through the client's serializer untouched (typed as dicts).
                ndjson: Any = b"".join(lines for _id, lines in pending)
                body = self.bulk_client.bulk(
                    operations=ndjson,
                    wait_for_active_shards=self.config.wait_for_active_shards,
                    timeout=BULK_SHARD_WAIT,
                ).body
            except (TransportConnectionError, ConnectionTimeout) as exc:
                if attempt == MAX_RETRIES:
                    raise  # the whole cluster is gone: BackendUnavailable, naming the URL
                last = f"{type(exc).__name__} talking to the cluster"
                continue
            except ApiError as exc:
                if exc.meta.status not in RETRY_STATUS or attempt == MAX_RETRIES:
                    raise
                last = f"HTTP {exc.meta.status}"
                continue
            retry: list[tuple[str, bytes]] = []
            failures: list[str] = []
            for item, op in zip(body["items"], pending, strict=True):
                result = next(iter(item.values()))
                status = int(result.get("status", 500))
                if status < 300:
                    continue
                reason = _reason(result.get("error"))
                if status in RETRY_STATUS:
                    retry.append(op)
                    last = reason
                else:
                    failures.append(f"{op[0]}\t{reason}")
            if not retry:
                return failures
            if (loading or attempt >= 2) and self._red(index):
                # A primary without a replica went with its node (a rebuild loads without
                # replicas): no retry can bring those documents back.
                raise ShardsLost(
                    f"index {index} lost shards with a node of the cluster at {self.url} "
                    f"(cluster health red; last error: {last})",
                    hint="the alias was not moved; run the rebuild again once the cluster is green",
                )
            pending = retry
            self._failures_retried += len(retry)
        return failures_after(pending, last)

    def _red(self, index: str) -> bool:
        with contextlib.suppress(ApiError, TransportConnectionError, ConnectionTimeout):
            return bool(self.client.cluster.health(index=index).body["status"] == "red")
        return False

    def _bulk(
        self,
        index: str,
        docs: Iterable[IndexDoc],
        on_progress: ProgressFn | None,
        *,
        loading: bool = False,
    ) -> int:
        """Stream ``docs`` to ``index`` in chunks; memory holds at most threads + 1 chunks.

        Raises:
            IndexingError: documents rejected for good, each with its record id.
        """
        failures: list[tuple[str, str]] = []
        n = 0
        threads = max(1, self.config.bulk_threads)
        # Chunks are built ahead while earlier ones are sent (what parallel_bulk does): one
        # more than the senders, so a sender never waits for the producer (enrichment).
        ahead = threads + 1
        lock = threading.Lock()
        dumps = self.client.transport.serializers.get_serializer("application/json").dumps

        def chunks() -> Iterator[list[tuple[str, bytes]]]:
            chunk: list[tuple[str, bytes]] = []
            for d in docs:
                action = dumps({"index": {"_index": index, "_id": d.id}})
                chunk.append((d.id, b"%s\n%s\n" % (action, dumps(_source(d)))))
                if len(chunk) == CHUNK_SIZE:
                    yield chunk
                    chunk = []
            if chunk:
                yield chunk

        def done(chunk_len: int, failed: list[str]) -> None:
            with lock:
                for line in failed:
                    doc_id, _, reason = line.partition("\t")
                    failures.append((doc_id, reason))
            if on_progress is not None:
                on_progress(chunk_len)

        self._failures_retried = 0
        with self._errors():
            with ThreadPoolExecutor(threads, thread_name_prefix="socsec-bulk") as pool:
                running: dict[Future[list[str]], int] = {}
                try:
                    for chunk in chunks():
                        n += len(chunk)
                        running[pool.submit(self._send, index, chunk, loading)] = len(chunk)
                        while len(running) >= ahead or any(f.done() for f in running):
                            # bounded: never more than ``ahead`` chunks in memory
                            finished, _ = wait(running, return_when=FIRST_COMPLETED)
                            for f in finished:
                                done(running.pop(f), f.result())
                    for f in list(running):
                        done(running.pop(f), f.result())
                finally:
                    for f in running:  # a failure stops the load: queued chunks are dropped
                        f.cancel()
            self.bulk_client.indices.refresh(index=index)
        if failures:
            raise IndexingError(
                f"{len(failures)} of {n} documents were rejected by Elasticsearch at {self.url}",
                failures=failures,
            )
        return n

    def index(self, docs: Iterable[IndexDoc], on_progress: ProgressFn | None = None) -> IndexReport:
        """Add or replace documents through the alias, then refresh so they are searchable."""
        start = time.perf_counter()
        self.ensure_schema()
        n = self._bulk(self.alias, docs, on_progress)
        return IndexReport(indexed=n, seconds=time.perf_counter() - start)

    def orphans(self) -> list[str]:
        """Indices named like this alias's builds (``<alias>-<stamp>``) that it does not hold.

        Left by a rebuild that was killed before it could clean up.
        """
        live = set(self._physical())
        with self._errors():
            names = self.client.indices.get(index=f"{self.alias}-*", expand_wildcards="all").body
        return sorted(
            n for n in names if n not in live and STAMP.search(n) and n[:-21] == self.alias
        )

    def rebuild(
        self,
        docs: Iterable[IndexDoc],
        meta: Mapping[str, str],
        on_progress: ProgressFn | None = None,
    ) -> IndexReport:
        """Fill a new versioned index, then move the alias to it in one atomic call.

        Orphans of earlier failed rebuilds are deleted first. The new index is loaded with
        no replicas and no refresh; both are restored after the load, the replicas are
        awaited (green, bounded by the bulk timeout), and the document count is checked
        before the alias moves. On any failure the new index is deleted and the alias stays.
        """
        start = time.perf_counter()
        for name in self.orphans():
            with self._errors():
                self.bulk_client.indices.delete(index=name)
        old = self._physical()
        new = self._create(meta, loading=True)
        try:
            n = self._bulk(new, docs, on_progress, loading=True)
            with self._errors():
                self.bulk_client.indices.put_settings(
                    index=new,
                    settings={
                        "index": {
                            "refresh_interval": None,
                            "number_of_replicas": self.config.replicas,
                        }
                    },
                )
                nodes = int(self.client.cluster.health().body["number_of_data_nodes"])
                if 0 < self.config.replicas < nodes:
                    # Wait for the copies (bounded); a cluster too small for them stays yellow.
                    with contextlib.suppress(ApiError, ConnectionTimeout):
                        self.bulk_client.cluster.health(
                            index=new,
                            wait_for_status="green",
                            timeout=f"{int(self.config.bulk_timeout)}s",
                        )
                self.bulk_client.indices.refresh(index=new)
                found = int(self.client.count(index=new).body["count"])
            if found != n:
                raise IndexingError(
                    f"the new index holds {found} documents, {n} were sent; the alias was not moved"
                )
            actions: list[dict[str, Any]] = [
                {"remove": {"index": name, "alias": self.alias}} for name in old
            ]
            actions.append({"add": {"index": new, "alias": self.alias}})
            with self._errors():
                self.bulk_client.indices.update_aliases(actions=actions)
        except BaseException:
            # Best effort: the live index is untouched whether or not the cleanup works, and
            # the next rebuild deletes the index as an orphan if this cannot.
            with contextlib.suppress(Exception):
                self.client.indices.delete(index=new)
            raise
        with self._errors():
            for name in old:
                self.bulk_client.indices.delete(index=name)
        return IndexReport(indexed=n, seconds=time.perf_counter() - start)

    def delete(self, ids: Iterable[str]) -> int:
        """Delete documents by id (bulk delete); returns how many existed."""
        actions = ({"_op_type": "delete", "_index": self.alias, "_id": i} for i in ids)
        n = 0
        with self._errors():
            for ok, _item in helpers.streaming_bulk(
                self.bulk_client,
                actions,
                chunk_size=CHUNK_SIZE,
                raise_on_error=False,
                max_retries=MAX_RETRIES,
                initial_backoff=INITIAL_BACKOFF,
                max_backoff=MAX_BACKOFF,
            ):
                n += int(ok)
            self.client.indices.refresh(index=self.alias)
        return n

    def set_meta(self, meta: Mapping[str, str]) -> None:
        """Merge values into the mapping ``_meta`` of the live index."""
        for name in self._physical():
            with self._errors():
                current = self.client.indices.get_mapping(index=name).body[name]["mappings"]
                merged = {**current.get("_meta", {}), **meta}
                self.bulk_client.indices.put_mapping(index=name, meta=merged)

    # -- reading -----------------------------------------------------------------------------
    def count(self) -> int:
        """Documents behind the alias (0 when there is no index)."""
        if not self._physical():
            return 0
        with self._errors():
            return int(self.client.count(index=self.alias).body["count"])

    def info(self) -> IndexInfo:
        """Alias, physical index, count and the ``_meta`` recorded at build time."""
        names = self._physical()
        meta: dict[str, str] = {}
        if names:
            with self._errors():
                mapping = self.client.indices.get_mapping(index=names[0]).body[names[0]]
            meta = {k: str(v) for k, v in mapping["mappings"].get("_meta", {}).items()}
        return IndexInfo(
            backend=self.name,
            name=self.alias,
            physical=", ".join(names) or None,
            count=self.count(),
            meta=meta,
        )

    def fingerprints(self) -> dict[str, str]:
        """Every id with its fingerprint (keyset scan sorted by id)."""
        out: dict[str, str] = {}
        if not self._physical():
            return out
        after: list[Any] | None = None
        with self._errors():
            while True:
                kwargs: dict[str, Any] = {"search_after": after} if after else {}
                body = self.client.search(
                    index=self.alias,
                    size=5000,
                    sort=[{"id": "asc"}],
                    source_includes=["fingerprint"],
                    query={"match_all": {}},
                    **kwargs,
                ).body
                hits = body["hits"]["hits"]
                for h in hits:
                    out[h["_id"]] = h["_source"].get("fingerprint", "")
                if len(hits) < 5000:
                    return out
                after = hits[-1]["sort"]

    def _seek(self, search: dict[str, Any], start: int) -> list[Any] | None:
        """The sort key of hit number ``start`` (0-based, exclusive) of ``search``, walking
        the hits before it in windows; None when there are not that many hits.
        """
        after: list[Any] | None = None
        remaining = start
        while remaining:
            step = min(remaining, self.result_window)
            kwargs = {**search, "size": step, "source": False, "track_total_hits": False}
            kwargs.pop("source_excludes", None)
            if after is not None:
                kwargs["search_after"] = after
            with self._errors():
                hits = self.client.search(**kwargs).body["hits"]["hits"]
            if len(hits) < step:
                return None
            after = hits[-1]["sort"]
            remaining -= step
        return after

    def search(self, query: Query) -> SearchResult:
        """Run ``query``; keyset paging through ``search_after`` when ``query.after`` is set."""
        kwargs: dict[str, Any] = {
            "index": self.alias,
            "query": build_query(query),
            "sort": _sort(query.sort),
            "size": query.size,
            "track_total_hits": True,
            "source_excludes": [*TEXT_FIELDS, "title_raw", "author_keys", "fingerprint"],
        }
        start = (max(query.page, 1) - 1) * query.size
        if query.after is not None:
            kwargs["search_after"] = list(query.after)
        elif start + query.size <= self.result_window:
            kwargs["from_"] = start
        else:
            after = self._seek(kwargs, start)
            if after is None:  # past the last hit: no hits, but the total and facets still
                kwargs["size"] = 0
            else:
                kwargs["search_after"] = after
        if query.facets:
            kwargs["aggs"] = _aggs(query.facet_size)
        with self._errors():
            body = self.client.search(**kwargs).body
        hits = []
        for h in body["hits"]["hits"]:
            src = h["_source"]
            hits.append(
                Hit(
                    id=src["id"],
                    score=round(float(h.get("_score") or 0.0), 6),
                    sort=tuple(h["sort"]),
                    year=src.get("year"),
                    type=src["type"],
                    language=src.get("language"),
                    subjects=tuple(src.get("subjects", ())),
                    ancestors=tuple(src.get("ancestors", ())),
                    detected=tuple(src.get("detected", ())),
                    display=src.get("display", {}),
                    provenance={
                        **dict.fromkeys(src.get("accepted_subjects", ()), "accepted"),
                        **dict.fromkeys(src.get("automatic_subjects", ()), "automatic"),
                    },
                )
            )
        facets = None
        if query.facets:
            aggs = body["aggregations"]
            facets = Facets(
                subjects=_buckets(aggs, "subjects"),
                year=[(int(k), n) for k, n in _buckets(aggs, "year")],
                type=_buckets(aggs, "type"),
                language=_buckets(aggs, "language"),
            )
        return SearchResult(hits=hits, total=int(body["hits"]["total"]["value"]), facets=facets)
