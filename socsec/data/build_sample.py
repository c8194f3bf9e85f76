"""Build socsec/data/sample-bibliography.csljson.gz from the real data in ../shared/data.

Run once from the repository root (its output is committed):

    .venv/bin/python socsec/data/build_sample.py [SHARED_DATA_DIR] [--no-automatic]

Sources (see socsec/data/README.md, "Sample bibliography"):
- nber/nberwp-socsec-subset.csv: 1,610 NBER working papers on social security topics
  (bldavies/nberwp, CC0): title, authors, year and month, URL. Type report, language en.
- eurlex/eurlex-train-validation.jsonl: the EUR-Lex acts in the social field (non-empty
  ``socprot_match``; NihedB/EUR-Lex-Triples, CC BY 4.0): title, Official Journal date, the
  first 1,500 characters of the EUR-Lex summary as abstract, CELEX id as record id, and their
  gold EuroVoc descriptors as curated subjects where the concept is in the bundled thesaurus
  (socsec/data/eurovoc-social-protection.ttl).
Nothing is written by hand: every value comes from these files or is a constant stated here.

Then every record without a curated subject (the NBER papers) gets the automatic subjects
socsec's own indexing gives it (``socsec bib autoindex --all`` with the default threshold and
limit, see socsec.app.autoindex): the suggestion model is trained, in a temporary data dir
holding the bundled thesaurus and the records above, on the EUR-Lex acts' curated subjects
only. They are written to ``custom.subject_provenance`` as ``automatic`` with their score,
method and model version. Training is deterministic, so the output is byte-identical between
runs (``--no-automatic`` leaves them out).
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUTPUT = HERE / "sample-bibliography.csljson.gz"
THESAURUS = HERE / "eurovoc-social-protection.ttl"


def bundled_concepts() -> set[str]:
    """The concept URIs of the bundled thesaurus."""
    import rdflib
    from rdflib.namespace import RDF, SKOS

    graph = rdflib.Graph().parse(THESAURUS)
    return {str(s) for s in graph.subjects(RDF.type, SKOS.Concept)}


def nber_items(path: Path) -> list[dict[str, object]]:
    """CSL-JSON items for the NBER subset."""
    items = []
    with path.open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            authors = []
            for name in row["authors"].split(";"):
                name = name.strip()
                if not name:
                    continue
                given, _, family = name.rpartition(" ")
                authors.append({"family": family, "given": given} if given else {"family": family})
            parts = [int(row["year"])] + ([int(row["month"])] if row["month"] else [])
            items.append({
                "id": f"nber-{row['paper']}",
                "type": "report",
                "title": row["title"],
                "author": authors,
                "issued": {"date-parts": [parts]},
                "container-title": "NBER Working Paper Series",
                "publisher": "National Bureau of Economic Research",
                "number": row["paper"],
                "URL": row["url"],
                "language": "en",
            })  # fmt: skip
    return items


def eurlex_items(path: Path, concepts: set[str]) -> list[dict[str, object]]:
    """CSL-JSON items for the EUR-Lex acts in the social field."""
    sys.path.insert(0, str(HERE.parent.parent))
    from socsec.bibliography.formats.csljson import to_csl
    from socsec.bibliography.formats.eurlex import act_to_record

    items = []
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            act = json.loads(line)
            if not act.get("socprot_match"):
                continue
            record = act_to_record(act, keep=concepts.__contains__)
            items.append(to_csl(record))
    return items


def with_automatic_subjects(items: list[dict[str, object]]) -> list[dict[str, object]]:
    """The items with the automatic subjects socsec's automatic indexing gives them."""
    import tempfile

    sys.path.insert(0, str(HERE.parent.parent))
    from socsec.app import autoindex
    from socsec.bibliography.codec import subject_to_dict
    from socsec.bibliography.service import import_file
    from socsec.bibliography.store import get_store
    from socsec.config import Settings
    from socsec.thesaurus.bundle import initialize_thesaurus
    from socsec.thesaurus.lookup import get_cache
    from socsec.workspace import Workspace

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        ws = Workspace(root=root, settings=Settings.load(data_dir=root, env={}))
        initialize_thesaurus(ws)
        source = root / "items.json"
        source.write_text(json.dumps(items, ensure_ascii=False), encoding="utf-8")
        with get_store(ws) as store, get_cache(ws) as cache:
            import_file(store, source, fmt="csljson", checker=cache)
        report = autoindex.assign(ws)
        with get_store(ws) as store:
            records = {r.id: r for r in store.iter_records()}
    print(
        f"automatic subjects: {report.assigned} on {report.with_automatic} records "
        f"(model {report.model}, score >= {report.threshold}, at most {report.limit})"
    )
    out = []
    for item in items:
        record = records[str(item["id"])]
        automatic = [s for s in record.subjects if s.provenance == "automatic"]
        if automatic:
            custom = dict(item.get("custom") or {})  # type: ignore[call-overload]
            subjects = [*custom.get("subjects", []), *(s.uri for s in automatic)]
            custom["subjects"] = subjects
            custom["subject_provenance"] = [
                subject_to_dict(s) for s in record.subjects if s.uri in subjects
            ]
            item = {**item, "custom": custom}
        out.append(item)
    return out


def main() -> None:
    """Write the sample file."""
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    shared = Path(args[0]) if args else HERE.parent.parent.parent / "shared/data"
    concepts = bundled_concepts()
    items = nber_items(shared / "nber/nberwp-socsec-subset.csv")
    items += eurlex_items(shared / "eurlex/eurlex-train-validation.jsonl", concepts)
    if "--no-automatic" not in sys.argv:
        items = with_automatic_subjects(items)
    buf = io.StringIO()
    buf.write("[\n")
    buf.write(",\n".join(json.dumps(i, ensure_ascii=False, sort_keys=True) for i in items))
    buf.write("\n]\n")
    # mtime=0 keeps the gzip bytes identical between runs.
    with OUTPUT.open("wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as gz:
        gz.write(buf.getvalue().encode("utf-8"))
    n_subjects = sum(len(i["custom"]["subjects"]) for i in items if "custom" in i)  # type: ignore[index, misc]
    print(f"{OUTPUT.name}: {len(items)} records, {n_subjects} subject links")


if __name__ == "__main__":
    main()
