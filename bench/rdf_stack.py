"""Compare RDF stacks for socsec's write side: parse speed and round-trip losslessness.

Usage: .venv/bin/python bench/rdf_stack.py [ROUNDS]   (needs oxrdflib for option C)

Options (the record is docs/decisions/0001-rdf-stack.md):
  A  pyoxigraph directly (ox.parse / ox.serialize; Python sees ox terms)
  B  rdflib Graph, rdflib's own parser and in-memory store
  C  rdflib Graph over Oxigraph (oxrdflib: store "Oxigraph", parser "ox-turtle")

For each file: median parse time (in a child process each round, so imports and memory are
counted per run) with the ratio to option A, the peak RSS, and a round trip
(parse -> Turtle -> parse) compared with rdflib.compare.isomorphic against the file as rdflib
reads it, plus whether explicit ^^xsd:string and capitalised language tags survive.
Anchor: `python -c pass` in the same run.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SHARED = Path(
    os.environ.get("SOCSEC_SHARED_DATA", Path(__file__).resolve().parents[2] / "shared" / "data")
)
FILES = {
    "bundled extract": Path(__file__).resolve().parents[1]
    / "socsec/data/eurovoc-social-protection.ttl",
    "all of EuroVoc": SHARED / "eurovoc/eurovoc-en-fr-es.ttl",
    "UNESCO 2024": SHARED / "unesco/unesco-thesaurus-2024-10-08.ttl",
}
QUIRKS = """@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
<http://e.org/c> skos:prefLabel "Rente"@fr-CA ; skos:notation "N1"^^xsd:string ;
    skos:definition "plain" .
"""

CHILD = r"""
import resource, sys, time
option, path = sys.argv[1], sys.argv[2]
start = time.perf_counter()
if option == "A":
    import pyoxigraph as ox
    triples = [q.triple for q in ox.parse(path=path, format=ox.RdfFormat.TURTLE)]
    n = len(triples)
elif option == "B":
    from rdflib import Graph
    n = len(Graph().parse(path, format="turtle"))
else:
    from rdflib import Graph
    n = len(Graph(store="Oxigraph").parse(path, format="ox-turtle"))
seconds = time.perf_counter() - start
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(f"{n} {seconds} {peak}")
"""

ROUNDTRIP = r"""
import json, sys
from rdflib import Graph, Literal, XSD
from rdflib.compare import isomorphic
option, path = sys.argv[1], sys.argv[2]
reference = Graph().parse(path, format="turtle")
if option == "A":
    import pyoxigraph as ox
    triples = [q.triple for q in ox.parse(path=path, format=ox.RdfFormat.TURTLE)]
    data = ox.serialize(triples, format=ox.RdfFormat.TURTLE)
elif option == "B":
    data = Graph().parse(path, format="turtle").serialize(format="turtle", encoding="utf-8")
else:
    g = Graph(store="Oxigraph").parse(path, format="ox-turtle")
    data = g.serialize(format="ox-turtle", encoding="utf-8")
back = Graph().parse(data=data, format="turtle")
lits = [o for o in back.objects() if isinstance(o, Literal)]
print(json.dumps({
    "isomorphic": isomorphic(reference, back),
    "xsd_string_kept": any(o.datatype == XSD.string for o in lits),
    "tag_case_kept": any(o.language == "fr-CA" for o in lits),
}))
"""


def _child(code: str, *args: str) -> str:
    out = subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, text=True, check=True
    )
    return out.stdout.strip()


def main() -> None:
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    anchor = []
    for _ in range(rounds):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", "pass"], check=True)
        anchor.append(time.perf_counter() - start)
    print(f"anchor python -c pass: {statistics.median(anchor) * 1000:.0f} ms (median of {rounds})")
    results: dict[str, dict[str, object]] = {}
    for name, path in FILES.items():
        print(f"\n{name} ({path.stat().st_size / 1e6:.1f} MB)")
        base = None
        for option in "ABC":
            runs = [_child(CHILD, option, str(path)).split() for _ in range(rounds)]
            seconds = statistics.median(float(r[1]) for r in runs)
            peak = max(float(r[2]) for r in runs)
            base = base or seconds
            print(
                f"  {option}: {runs[0][0]} triples, parse {seconds * 1000:7.0f} ms "
                f"({seconds / base:4.1f}x A), peak RSS {peak:5.0f} MB"
            )
            results.setdefault(name, {})[option] = {"ms": round(seconds * 1000), "peak": peak}
    with tempfile.TemporaryDirectory() as tmp:
        quirks = Path(tmp) / "quirks.ttl"
        quirks.write_text(QUIRKS, encoding="utf-8")
        print("\nround trip (parse -> Turtle -> parse), compared with rdflib.compare.isomorphic")
        for name, path in [("bundled extract", FILES["bundled extract"]), ("quirks", quirks)]:
            for option in "ABC":
                print(f"  {name:<16} {option}: {json.loads(_child(ROUNDTRIP, option, str(path)))}")


if __name__ == "__main__":
    main()
