"""Cut the test fixture eurovoc-socprot-mini.ttl from the bundled EuroVoc extract.

Run from the repository root: .venv/bin/python tests/data/thesaurus/make_fixture.py
Every triple of the output is a triple of socsec/data/eurovoc-social-protection.ttl.
"""

from pathlib import Path

import pyoxigraph as ox

SOURCE = Path("socsec/data/eurovoc-social-protection.ttl")
TARGET = Path(__file__).with_name("eurovoc-socprot-mini.ttl")

# Concepts kept: all of microthesaurus 2836 "social protection" and of the small neighbour
# microthesauri, plus the employment/social-affairs concepts the lookup tests name.
# Kept with them: every triple about them, their schemes, the provenance entity and the
# untyped EuroVoc domains (so non-Concept resources are exercised too).
CONSTRUCT = """
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
CONSTRUCT { ?s ?p ?o } WHERE {
  {
    ?s skos:inScheme ?scheme .
    FILTER(?scheme NOT IN (<http://eurovoc.europa.eu/100212>, <http://eurovoc.europa.eu/100215>,
                           <http://eurovoc.europa.eu/100232>))
  } UNION {
    ?s skos:inScheme ?scheme ; skos:prefLabel ?label .
    FILTER(?scheme IN (<http://eurovoc.europa.eu/100212>, <http://eurovoc.europa.eu/100232>))
    FILTER(lang(?label) = "en" && REGEX(?label, "unemploy|retire|pension|social security"))
  } UNION {
    ?c skos:inScheme ?s .
  } UNION {
    ?s skos:notation ?n . FILTER NOT EXISTS { ?s a skos:ConceptScheme }
    FILTER NOT EXISTS { ?s a skos:Concept }
  } UNION {
    ?s a <http://www.w3.org/ns/prov#Entity> .
  }
  ?s ?p ?o .
}
"""


def main() -> None:
    store = ox.Store()
    store.load(path=str(SOURCE))
    triples = sorted(
        store.query(CONSTRUCT), key=lambda t: (str(t.subject), str(t.predicate), str(t.object))
    )
    prefixes = {
        "cc": "http://creativecommons.org/ns#",
        "dct": "http://purl.org/dc/terms/",
        "ev": "http://eurovoc.europa.eu/",
        "prov": "http://www.w3.org/ns/prov#",
        "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
        "skos": "http://www.w3.org/2004/02/skos/core#",
        "xsd": "http://www.w3.org/2001/XMLSchema#",
    }
    TARGET.write_bytes(ox.serialize(triples, format=ox.RdfFormat.TURTLE, prefixes=prefixes))
    concepts = {
        t.subject
        for t in triples
        if t.object == ox.NamedNode("http://www.w3.org/2004/02/skos/core#Concept")
    }
    print(f"{len(triples)} triples, {len(concepts)} concepts -> {TARGET}")


if __name__ == "__main__":
    main()
