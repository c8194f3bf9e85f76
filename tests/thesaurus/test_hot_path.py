"""Lookup, show and tree read only the SQLite cache: no rdflib (nor pyoxigraph) imported."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

LIBRARY = """
import sys
from pathlib import Path
from socsec.thesaurus.lookup import ThesaurusCache
cache = ThesaurusCache.open(Path(sys.argv[1]))
assert cache.lookup("unemploymnet")[0].pref["fr"] == "chômage"
uri = cache.resolve("retraite anticipée")
cache.concept(uri), cache.ancestors(uri), list(cache.iter_labels())
print(sorted(m for m in ("rdflib", "pyoxigraph") if m in sys.modules))
"""

CLI = """
import sys
from socsec.cli.main import main
sys.argv = ["socsec", "thesaurus", sys.argv[1], *sys.argv[2:]]
try:
    main()
except SystemExit as exit:
    assert exit.code in (0, None), exit.code
print(sorted(m for m in ("rdflib", "pyoxigraph") if m in sys.modules), file=sys.stderr)
"""


def test_library_lookup_imports_no_rdf_library(bundled_root: Path) -> None:
    out = subprocess.run(
        [sys.executable, "-c", LIBRARY, str(bundled_root / "thesaurus.sqlite")],
        capture_output=True,
        text=True,
        check=True,
    )
    assert json.loads(out.stdout.strip().replace("'", '"')) == []


def test_cli_lookup_show_tree_import_no_rdf_library(bundled_root: Path) -> None:
    env = {**os.environ, "SOCSEC_HOME": str(bundled_root)}
    for args in (
        ["lookup", "pension", "--json"],
        ["show", "early retirement", "--json"],
        ["tree", "--depth", "1", "--json"],
        ["lookup", "chôm"],
    ):
        out = subprocess.run(
            [sys.executable, "-c", CLI, *args], capture_output=True, text=True, env=env, check=True
        )
        assert out.stderr.strip().splitlines()[-1] == "[]", (args, out.stderr)
