"""`socsec thesaurus concept ...`, `history`, `undo`, `import-labels` and `export` end to end."""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner, Result

from socsec.bibliography.store import BibliographyStore
from socsec.cli.app import app
from socsec.thesaurus.lookup import ThesaurusCache

from .conftest import (
    EARLY_RETIREMENT,
    RETIREMENT_CONDITIONS,
    SCHEME,
    TERMINATION,
    store_bytes,
)

runner = CliRunner()


def run(data_dir: Path, *args: str) -> Result:
    return runner.invoke(app, ["--data-dir", str(data_dir), *args])


def ok(data_dir: Path, *args: str) -> Any:
    result = run(data_dir, *args, "--json")
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def concept(data_dir: Path, ref: str) -> dict[str, Any]:
    data: dict[str, Any] = ok(data_dir, "thesaurus", "show", ref)["concept"]
    return data


def refused(data_dir: Path, code: int, *args: str) -> Result:
    """Run a command that must fail with ``code`` and leave the store byte-for-byte unchanged."""
    before = store_bytes(data_dir)
    result = run(data_dir, *args)
    assert result.exit_code == code, (result.stdout, result.stderr)
    assert store_bytes(data_dir) == before
    return result


# ---------------------------------------------------------------- help


CONCEPT_COMMANDS = ("add", "edit", "link", "unlink", "deprecate", "merge")


@pytest.mark.parametrize(
    "args",
    [("thesaurus", "concept", c) for c in CONCEPT_COMMANDS]
    + [("thesaurus", "history"), ("thesaurus", "undo"), ("thesaurus", "export")],
)
def test_commands_have_help_with_an_example(args: tuple[str, ...]) -> None:
    result = runner.invoke(app, [*args, "--help"])
    assert result.exit_code == 0
    assert "Example" in result.stdout


# ---------------------------------------------------------------- add


def test_add_mints_a_uri_under_the_scheme_namespace(data_dir: Path) -> None:
    change = ok(
        data_dir,
        "thesaurus",
        "concept",
        "add",
        "--label",
        "en:bridge pension",
        "--label",
        "fr:pension de raccordement",
        "--label",
        "es:pensión puente",
        "--broader",
        "early retirement",
        "--notation",
        "SOC-1",
        "--definition",
        "en:A pension paid from early retirement until the statutory pension starts.",
    )
    uri = change["uri"]
    assert uri == "https://socsec.invalid/concept/1"  # never in EuroVoc's namespace
    assert change["action"] == "add" and change["who"] == "curator" and change["id"] == 1
    new = concept(data_dir, "pensión puente")
    assert new["uri"] == uri and new["notation"] == "SOC-1"
    assert new["pref"] == {
        "en": "bridge pension",
        "fr": "pension de raccordement",
        "es": "pensión puente",
    }
    assert new["broader"] == [EARLY_RETIREMENT] and new["schemes"] == [SCHEME]
    assert new["notes"]["definition"]["en"][0].startswith("A pension paid")
    assert new["modified"] and new["created"]
    assert uri in concept(data_dir, EARLY_RETIREMENT)["narrower"]
    # A second one gets the next number.
    again = ok(data_dir, "thesaurus", "concept", "add", "--label", "en:bridge benefit",
               "--scheme", SCHEME)  # fmt: skip
    assert again["uri"] == "https://socsec.invalid/concept/2"
    assert concept(data_dir, again["uri"])["top_of"] == [SCHEME]  # no broader: a top concept


def test_add_follows_the_configured_uri_pattern(data_dir: Path) -> None:
    (data_dir / "config.toml").write_text(
        '[thesaurus]\nuri_pattern = "https://socsec.example/{notation}"\n', encoding="utf-8"
    )
    change = ok(data_dir, "thesaurus", "concept", "add", "--label", "en:bridge pension",
                "--broader", EARLY_RETIREMENT, "--notation", "BP1")  # fmt: skip
    assert change["uri"] == "https://socsec.example/BP1"
    result = refused(data_dir, 5, "thesaurus", "concept", "add", "--label", "en:other",
                     "--broader", EARLY_RETIREMENT)  # fmt: skip
    assert "needs --notation" in result.stderr


def test_add_refuses_a_uri_in_the_imported_vocabulary_namespace(data_dir: Path) -> None:
    (data_dir / "config.toml").write_text(
        '[thesaurus]\nuri_pattern = "{ns}socsec-{n}"\n', encoding="utf-8"
    )
    result = refused(data_dir, 5, "thesaurus", "concept", "add", "--label", "en:bridge pension",
                     "--broader", EARLY_RETIREMENT)  # fmt: skip
    assert "does not own" in result.stderr and "thesaurus.base_uri" in result.stderr
    # Declaring the namespace one's own (base_uri) allows it.
    (data_dir / "config.toml").write_text(
        '[thesaurus]\nuri_pattern = "{ns}socsec-{n}"\nbase_uri = "http://eurovoc.europa.eu/"\n',
        encoding="utf-8",
    )
    change = ok(data_dir, "thesaurus", "concept", "add", "--label", "en:bridge pension",
                "--broader", EARLY_RETIREMENT)  # fmt: skip
    assert change["uri"] == "http://eurovoc.europa.eu/socsec-1"


def test_add_refuses_a_pref_label_clash(data_dir: Path) -> None:
    result = refused(data_dir, 5, "thesaurus", "concept", "add",
                     "--label", "en:Early Retirement", "--label", "fr:préretraite totale",
                     "--scheme", SCHEME)  # fmt: skip
    assert "already used by early retirement <http://eurovoc.europa.eu/3626>" in result.stderr


def test_add_bad_input(data_dir: Path) -> None:
    refused(data_dir, 4, "thesaurus", "concept", "add", "--label", "en:x", "--broader", "nope")
    refused(
        data_dir, 5, "thesaurus", "concept", "add", "--label", "en:bridge pension"
    )  # 23 schemes
    refused(data_dir, 2, "thesaurus", "concept", "add", "--label", "bridge pension")
    result = refused(data_dir, 5, "thesaurus", "concept", "add", "--label", "en:bridge pension",
                     "--label", "en:bridging pension", "--scheme", SCHEME)  # fmt: skip
    assert "2 prefLabels in en (S14)" in result.stderr
    refused(data_dir, 5, "thesaurus", "concept", "add", "--label", "en: padded ",
            "--scheme", SCHEME)  # fmt: skip
    refused(data_dir, 5, "thesaurus", "concept", "add", "--label", "en:x", "--notation", "3626",
            "--scheme", SCHEME)  # fmt: skip


# ---------------------------------------------------------------- edit


def test_edit_sets_and_removes_labels_and_notes(data_dir: Path) -> None:
    change = ok(
        data_dir,
        "thesaurus",
        "concept",
        "edit",
        "3626",
        "--remove-alt",
        "en:pre-retirement",
        "--pref",
        "en:pre-retirement",
        "--alt",
        "en:early retirement",
        "--alt",
        "es:prejubilación",
        "--hidden",
        "fr:pre retraite",
        "--definition",
        "en:Retirement before the statutory pension age.",
        "--note",
        "scopeNote:fr:Départ avant l'âge légal.",
    )
    assert change["action"] == "edit" and change["concepts"] == [EARLY_RETIREMENT]
    c = concept(data_dir, EARLY_RETIREMENT)
    assert c["pref"]["en"] == "pre-retirement"
    assert "early retirement" in c["alt"]["en"] and "pre-retirement" not in c["alt"]["en"]
    assert c["alt"]["es"] == ["prejubilación"] and c["hidden"]["fr"] == ["pre retraite"]
    assert c["notes"]["definition"]["en"] == ["Retirement before the statutory pension age."]
    assert c["notes"]["scopeNote"]["fr"] == ["Départ avant l'âge légal."]
    assert c["modified"] == change["when"]
    # Removing works too.
    ok(data_dir, "thesaurus", "concept", "edit", EARLY_RETIREMENT, "--remove-definition", "en",
       "--remove-note", "scopeNote:fr", "--remove-hidden", "fr:pre retraite")  # fmt: skip
    c = concept(data_dir, EARLY_RETIREMENT)
    assert "definition" not in c["notes"] and "scopeNote" not in c["notes"] and not c["hidden"]


def test_edit_bad_input(data_dir: Path) -> None:
    result = refused(
        data_dir, 4, "thesaurus", "concept", "edit", "no such concept", "--alt", "en:x"
    )
    assert "Not found" in result.stderr
    result = refused(data_dir, 5, "thesaurus", "concept", "edit", "3626",
                     "--pref", "en:termination of employment")  # fmt: skip
    assert "already used by termination of employment" in result.stderr
    result = refused(data_dir, 5, "thesaurus", "concept", "edit", "3626",
                     "--pref", "en:pre-retirement")  # fmt: skip
    assert "S13" in result.stderr
    refused(data_dir, 5, "thesaurus", "concept", "edit", "3626", "--remove-alt", "en:unknown")
    refused(data_dir, 5, "thesaurus", "concept", "edit", "3626", "--remove-pref", "en",
            "--remove-pref", "fr", "--remove-pref", "es")  # fmt: skip
    refused(data_dir, 2, "thesaurus", "concept", "edit", "3626")
    refused(data_dir, 5, "thesaurus", "concept", "edit", "3626", "--note", "footnote:en:x")


# ---------------------------------------------------------------- link / unlink


def test_link_and_unlink(data_dir: Path) -> None:
    change = ok(data_dir, "thesaurus", "concept", "link", "3626", "--related", "5329")
    assert change["concepts"] == [EARLY_RETIREMENT, RETIREMENT_CONDITIONS]
    assert RETIREMENT_CONDITIONS in concept(data_dir, EARLY_RETIREMENT)["related"]
    ok(data_dir, "thesaurus", "concept", "unlink", "3626", "--related", "5329")
    assert RETIREMENT_CONDITIONS not in concept(data_dir, EARLY_RETIREMENT)["related"]
    # Move 3626 under 5329: a second broader, both directions written.
    ok(data_dir, "thesaurus", "concept", "link", "5329", "--narrower", "3626")
    c = concept(data_dir, EARLY_RETIREMENT)
    assert c["broader"] == sorted([TERMINATION, RETIREMENT_CONDITIONS])
    ok(data_dir, "thesaurus", "concept", "unlink", "3626", "--broader", TERMINATION)
    ok(data_dir, "thesaurus", "concept", "unlink", "3626", "--broader", RETIREMENT_CONDITIONS)
    c = concept(data_dir, EARLY_RETIREMENT)
    assert c["broader"] == [] and c["top_of"] == [SCHEME]  # not left an orphan
    assert EARLY_RETIREMENT not in concept(data_dir, TERMINATION)["narrower"]
    ttl = "".join(p.read_text("utf-8") for p in (data_dir / "thesaurus").glob("*.ttl"))
    assert "skos:narrower ev:3626" not in ttl and "skos:broader ev:3522 ;\n\tskos:inScheme" in ttl


def test_link_refuses_a_broader_cycle_with_the_path(data_dir: Path) -> None:
    result = refused(data_dir, 5, "thesaurus", "concept", "link", "3522", "--broader", "3626")
    assert (
        "broader cycle: termination of employment <http://eurovoc.europa.eu/3522> > "
        "early retirement <http://eurovoc.europa.eu/3626> > "
        "termination of employment <http://eurovoc.europa.eu/3522>"
    ) in " ".join(result.stderr.split())
    refused(data_dir, 5, "thesaurus", "concept", "link", "3626", "--broader", "3626")


def test_link_refuses_related_to_an_ancestor(data_dir: Path) -> None:
    result = refused(data_dir, 5, "thesaurus", "concept", "link", "3626", "--related", "3522")
    assert "is an ancestor of early retirement" in result.stderr
    # related first, then a broader link that would make the related concept an ancestor
    ok(data_dir, "thesaurus", "concept", "link", "3626", "--related", "5329")
    result = refused(data_dir, 5, "thesaurus", "concept", "link", "3626", "--broader", "5329")
    assert "would become its ancestor" in result.stderr


def test_link_bad_input(data_dir: Path) -> None:
    refused(data_dir, 4, "thesaurus", "concept", "link", "3626", "--related", "no such thing")
    refused(data_dir, 2, "thesaurus", "concept", "link", "3626")
    refused(data_dir, 5, "thesaurus", "concept", "link", "3626", "--broader", "3522")  # exists
    refused(data_dir, 4, "thesaurus", "concept", "unlink", "3626", "--related", "3522")


# ---------------------------------------------------------------- deprecate / merge


def _tag_first_record(data_dir: Path, uri: str) -> str:
    with (
        BibliographyStore.open(data_dir / "bibliography.sqlite") as store,
        ThesaurusCache.open(data_dir / "thesaurus.sqlite") as cache,
    ):
        record = next(store.iter_records())
        store.tag(record.id, [uri], checker=cache)
        return record.id


def _tagged(data_dir: Path, uri: str) -> int:
    """Records tagged with ``uri`` (the sample's automatic subjects included)."""
    with BibliographyStore.open(data_dir / "bibliography.sqlite") as store:
        return len(store.ids_tagged_with(uri))


def _subjects(data_dir: Path, record_id: str) -> list[str]:
    with BibliographyStore.open(data_dir / "bibliography.sqlite") as store:
        return [s.uri for s in store.get(record_id).subjects]


def test_merge_moves_labels_links_and_records(data_dir: Path) -> None:
    record_id = _tag_first_record(data_dir, EARLY_RETIREMENT)
    tagged = _tagged(data_dir, EARLY_RETIREMENT)
    assert tagged > 1  # the sample's NBER papers carry it as an automatic subject
    with BibliographyStore.open(data_dir / "bibliography.sqlite") as store:
        automatic = {
            r.id: s
            for r in store.iter_records()
            for s in r.subjects
            if s.uri == EARLY_RETIREMENT
            and s.provenance == "automatic"
            and RETIREMENT_CONDITIONS not in {t.uri for t in r.subjects}
        }
    assert automatic
    ok(data_dir, "thesaurus", "concept", "link", "3626", "--related", "3751")  # pension scheme
    change = ok(data_dir, "thesaurus", "concept", "merge", "early retirement", "--into", "5329")
    assert change["action"] == "merge" and change["retagged"] == tagged
    assert EARLY_RETIREMENT not in _subjects(data_dir, record_id)
    assert RETIREMENT_CONDITIONS in _subjects(data_dir, record_id)
    old, new = concept(data_dir, EARLY_RETIREMENT), concept(data_dir, RETIREMENT_CONDITIONS)
    assert old["deprecated"] and old["replaced_by"] == [RETIREMENT_CONDITIONS]
    assert old["broader"] == [] and old["related"] == [] and old["top_of"] == []
    assert "early retirement" in new["alt"]["en"]
    assert "retraite anticipée" in new["alt"]["fr"] and "préretraite" in new["alt"]["fr"]
    assert "jubilación anticipada" in new["alt"]["es"]
    assert "http://eurovoc.europa.eu/3751" in new["related"]
    assert new["broader"] == [TERMINATION]
    # Undo puts the record's tag back as well.
    with BibliographyStore.open(data_dir / "bibliography.sqlite") as store:
        for rid, before in automatic.items():  # moved with their provenance and score
            moved = [s for s in store.get(rid).subjects if s.uri == RETIREMENT_CONDITIONS]
            assert moved == [dataclasses.replace(before, uri=RETIREMENT_CONDITIONS)]
    undone = ok(data_dir, "thesaurus", "undo")
    assert undone["retagged"] == tagged
    assert EARLY_RETIREMENT in _subjects(data_dir, record_id)
    with BibliographyStore.open(data_dir / "bibliography.sqlite") as store:
        for rid, before in automatic.items():  # and come back as they were
            assert [s for s in store.get(rid).subjects if s.uri == EARLY_RETIREMENT] == [before]
    assert RETIREMENT_CONDITIONS not in _subjects(data_dir, record_id)
    assert not concept(data_dir, EARLY_RETIREMENT)["deprecated"]


def test_merge_bad_input(data_dir: Path) -> None:
    refused(data_dir, 4, "thesaurus", "concept", "merge", "3626", "--into", "no such concept")
    refused(data_dir, 5, "thesaurus", "concept", "merge", "3626", "--into", "3626")
    ok(data_dir, "thesaurus", "concept", "merge", "3626", "--into", "5329")
    refused(data_dir, 5, "thesaurus", "concept", "merge", "5329", "--into", "3626")  # deprecated
    refused(data_dir, 5, "thesaurus", "concept", "merge", "3626", "--into", "5329")  # again


def test_deprecate_with_replacement_retags(data_dir: Path) -> None:
    record_id = _tag_first_record(data_dir, EARLY_RETIREMENT)
    tagged = _tagged(data_dir, EARLY_RETIREMENT)
    change = ok(data_dir, "thesaurus", "concept", "deprecate", "3626", "--replaced-by", "5329")
    assert change["retagged"] == tagged
    assert _subjects(data_dir, record_id).count(RETIREMENT_CONDITIONS) == 1
    old = concept(data_dir, EARLY_RETIREMENT)
    assert old["deprecated"] and old["replaced_by"] == [RETIREMENT_CONDITIONS]
    assert "early retirement" not in concept(data_dir, RETIREMENT_CONDITIONS)["alt"].get("en", [])


def test_deprecate_without_replacement(data_dir: Path) -> None:
    result = refused(data_dir, 5, "thesaurus", "concept", "deprecate", "3522")
    assert "still has narrower concepts" in result.stderr
    refused(data_dir, 4, "thesaurus", "concept", "deprecate", "no such concept")
    change = ok(data_dir, "thesaurus", "concept", "deprecate", "3626")
    assert change["retagged"] == 0
    old = concept(data_dir, EARLY_RETIREMENT)
    assert old["deprecated"] and old["replaced_by"] == [] and old["broader"] == []
    assert EARLY_RETIREMENT not in concept(data_dir, TERMINATION)["narrower"]


# ---------------------------------------------------------------- history / undo


def test_history_lists_changes_newest_first(data_dir: Path) -> None:
    assert ok(data_dir, "thesaurus", "history") == []
    ok(data_dir, "thesaurus", "concept", "edit", "3626", "--alt", "en:early exit")
    ok(data_dir, "thesaurus", "concept", "edit", "5329", "--alt", "en:pension conditions")
    entries = ok(data_dir, "thesaurus", "history")
    assert [e["id"] for e in entries] == [2, 1]
    mine = ok(data_dir, "thesaurus", "history", "early retirement")
    assert len(mine) == 1 and mine[0]["who"] == "curator" and mine[0]["action"] == "edit"
    after = mine[0]["after"]
    assert (
        f'<{EARLY_RETIREMENT}> <http://www.w3.org/2004/02/skos/core#altLabel> "early exit"@en .'
        in after
    )
    assert mine[0]["before"] == []  # EuroVoc states no dct:modified: nothing was replaced
    assert any("/modified>" in line for line in after)  # dct:modified set by the change
    table = run(data_dir, "thesaurus", "history")
    assert table.exit_code == 0 and "#2" in table.stdout
    refused(data_dir, 4, "thesaurus", "history", "no such concept")


def test_user_setting_names_the_curator(data_dir: Path) -> None:
    (data_dir / "config.toml").write_text('user = "Ana Curator"\n', encoding="utf-8")
    change = ok(data_dir, "thesaurus", "concept", "edit", "3626", "--alt", "en:early exit")
    assert change["who"] == "Ana Curator"


def test_undo_restores_the_store(data_dir: Path) -> None:
    before = {n: b for n, b in store_bytes(data_dir).items() if n.endswith(".ttl")}
    shown = concept(data_dir, RETIREMENT_CONDITIONS)
    ok(data_dir, "thesaurus", "concept", "add", "--label", "en:bridge pension",
       "--broader", "3626")  # fmt: skip
    ok(data_dir, "thesaurus", "concept", "merge", "3626", "--into", "5329")
    undone = ok(data_dir, "thesaurus", "undo")
    assert undone["action"] == "undo" and undone["undoes"] == 2
    assert not concept(data_dir, EARLY_RETIREMENT)["deprecated"]
    ok(data_dir, "thesaurus", "undo")
    after = {n: b for n, b in store_bytes(data_dir).items() if n.endswith(".ttl")}
    assert after == before
    assert concept(data_dir, RETIREMENT_CONDITIONS) == shown
    refused(data_dir, 4, "thesaurus", "concept", "edit", "bridge pension", "--alt", "en:x")
    assert [e["action"] for e in ok(data_dir, "thesaurus", "history")] == [
        "undo",
        "undo",
        "merge",
        "add",
    ]
    result = refused(data_dir, 4, "thesaurus", "undo")
    assert "nothing to undo" in result.stderr


def test_an_import_is_in_the_history_and_undone_first(data_dir: Path, tmp_path: Path) -> None:
    original = store_bytes(data_dir)
    ok(data_dir, "thesaurus", "concept", "edit", "3626", "--alt", "en:early exit")
    edited = store_bytes(data_dir)
    exported = tmp_path / "all.ttl"
    assert run(data_dir, "thesaurus", "export", "-o", str(exported)).exit_code == 0
    text = exported.read_text("utf-8").replace('"early exit"@en', '"early leaving"@en')
    exported.write_text(text, "utf-8")
    assert run(data_dir, "thesaurus", "import", str(exported)).exit_code == 0
    assert [e["action"] for e in ok(data_dir, "thesaurus", "history")] == ["import", "edit"]
    ok(data_dir, "thesaurus", "undo")  # the import
    assert "early exit" in concept(data_dir, "http://eurovoc.europa.eu/3626")["alt"]["en"]
    assert _store_files(store_bytes(data_dir)) == _store_files(edited)
    ok(data_dir, "thesaurus", "undo")  # the edit
    assert _store_files(store_bytes(data_dir)) == _store_files(original)


def _store_files(files: dict[str, bytes]) -> dict[str, bytes]:
    """The scheme files and the manifest (not the history, the cache)."""
    return {k: v for k, v in files.items() if k.endswith((".ttl", "manifest.json"))}


# ---------------------------------------------------------------- import-labels


def _gaps_csv(data_dir: Path, tmp_path: Path) -> list[list[str]]:
    out = tmp_path / "gaps.csv"
    result = run(data_dir, "thesaurus", "gaps", "--lang", "es", "--format", "csv", "-o", str(out))
    assert result.exit_code == 0, result.stderr
    return list(csv.reader(io.StringIO(out.read_text(encoding="utf-8-sig"), newline="")))


def test_import_labels_writes_with_history(data_dir: Path, tmp_path: Path) -> None:
    rows = _gaps_csv(data_dir, tmp_path)
    header = rows[0]
    uri = rows[1][header.index("uri")]
    rows[1][header.index("definition_es")] = "Una definición traducida."
    filled = tmp_path / "filled.csv"
    with filled.open("w", encoding="utf-8-sig", newline="") as fh:
        csv.writer(fh).writerows(rows[:2])
    added = ok(data_dir, "thesaurus", "import-labels", str(filled))
    assert added == [
        {"uri": uri, "lang": "es", "kind": "definition", "value": "Una definición traducida.",
         "line": 2}
    ]  # fmt: skip
    assert concept(data_dir, uri)["notes"]["definition"]["es"] == ["Una definición traducida."]
    (entry,) = ok(data_dir, "thesaurus", "history")
    assert entry["action"] == "import-labels" and entry["concepts"] == [uri]
    # Importing the same file again adds nothing and records nothing.
    assert ok(data_dir, "thesaurus", "import-labels", str(filled)) == []
    assert len(ok(data_dir, "thesaurus", "history")) == 1
    ok(data_dir, "thesaurus", "undo")
    assert (
        "definition" not in concept(data_dir, uri)["notes"]
        or "es" not in concept(data_dir, uri)["notes"]["definition"]
    )


def test_import_labels_malformed_csv(data_dir: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text(
        f'uri,pref_label_es\n{EARLY_RETIREMENT},"jubilación\n', encoding="utf-8"
    )  # an unclosed quote
    refused(data_dir, 5, "thesaurus", "import-labels", str(bad))
    clash = tmp_path / "clash.csv"
    clash.write_text(
        f"uri,pref_label_en,alt_labels_en\n{EARLY_RETIREMENT},,early exit\n"
        f"{TERMINATION},end of employment,\n",
        encoding="utf-8",
    )
    result = refused(data_dir, 5, "thesaurus", "import-labels", str(clash))
    assert "clash.csv, line 3" in result.stderr and "already has a pref" in result.stderr


# ---------------------------------------------------------------- export


def test_export_tbx_and_csv(data_dir: Path, tmp_path: Path) -> None:
    tbx = tmp_path / "glossary.tbx"
    written = ok(data_dir, "thesaurus", "export", "--format", "tbx", "--langs", "en,fr,es",
                 "-o", str(tbx))  # fmt: skip
    assert written == {"path": str(tbx), "format": "tbx", "bytes": tbx.stat().st_size}
    root = ET.parse(tbx).getroot()
    ns = {"t": "urn:iso:std:iso:30042:ed-2"}
    entries = root.findall(".//t:conceptEntry", ns)
    assert len(entries) == 455
    langs = {e.get("{http://www.w3.org/XML/1998/namespace}lang") for e in root.iter()
             if e.tag.endswith("langSec")}  # fmt: skip
    assert langs == {"en", "fr", "es"}
    assert "retraite anticipée" in tbx.read_text("utf-8")
    out = tmp_path / "glossary.csv"
    ok(data_dir, "thesaurus", "export", "--format", "csv", "--langs", "en,fr", "-o", str(out))
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline="")))
    per_lang = ["pref_label", "alt_labels", "entry_terms", "definition"]
    assert rows[0] == ["uri", "notation", "status", "replaced_by"] + [
        f"{column}_{lang}" for lang in ("en", "fr") for column in per_lang
    ]
    row = next(r for r in rows if r[0] == EARLY_RETIREMENT)
    assert row[4] == "early retirement" and row[8] == "retraite anticipée"
    assert len(rows) == 456
    # To stdout, and only one scheme.
    result = run(data_dir, "thesaurus", "export", "--format", "csv", "--scheme", SCHEME)
    assert result.exit_code == 0 and EARLY_RETIREMENT in result.stdout
    refused(data_dir, 5, "thesaurus", "export", "--format", "docx")


# ---------------------------------------------------------------- the search index


def test_a_merge_re_tags_and_re_indexes_its_records(data_dir: Path) -> None:
    record_id = _tag_first_record(data_dir, EARLY_RETIREMENT)
    ok(data_dir, "index", "rebuild")
    assert ok(data_dir, "index", "status")["stale"] is False
    ok(data_dir, "thesaurus", "concept", "merge", "3626", "--into", "5329")
    # The application layer brought the index up to date within the merge.
    assert ok(data_dir, "index", "status")["stale"] is False
    hits = ok(data_dir, "search", "--concept", RETIREMENT_CONDITIONS, "--exact-concept")
    assert record_id in json.dumps(hits)
