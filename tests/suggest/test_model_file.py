"""The model file (arrays and JSON, no pickle), numpy-only scoring, and when training happens."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from socsec.app.setup import open_workspace
from socsec.bibliography.store import get_store
from socsec.cli.app import app
from socsec.config import Settings
from socsec.suggest import service
from socsec.suggest.forest import Forest
from socsec.suggest.lexical import LexicalSuggester
from socsec.suggest.model import Document
from socsec.suggest.vocabulary import Vocabulary
from socsec.thesaurus.lookup import get_cache

from .conftest import ACTS

runner = CliRunner()
EARLY_RETIREMENT = "http://eurovoc.europa.eu/3626"
TEXT = "Early retirement and pension reform\nThe social security of older workers."


def run(data_dir: Path, *args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, ["--data-dir", str(data_dir), *args])
    return result.exit_code, result.stdout, result.stderr


def _fingerprint(path: Path) -> tuple[int, bytes]:
    return path.stat().st_mtime_ns, path.read_bytes()


def test_model_file_holds_arrays_and_json_only(data_dir: Path) -> None:
    path = data_dir / "suggest" / "model.npz"
    with zipfile.ZipFile(path) as zf:
        names = zf.namelist()
        assert names and all(n.endswith(".npy") for n in names)
        for name in names:
            header = zf.read(name)[:200]
            assert b"'O'" not in header and b"|O" not in header, name  # no object arrays
    with np.load(path, allow_pickle=False) as npz:  # raises if anything needs unpickling
        arrays = {n: npz[n] for n in npz.files}
    assert not any(a.dtype.hasobject for a in arrays.values())
    meta = json.loads(arrays["meta.json"].tobytes())
    assert meta["format"] == service.MODEL_FORMAT and meta["records"] == 99
    assert "lex.forest.roots" in arrays and "assoc.post_doc" in arrays
    assert not (data_dir / "suggest" / "model.pickle").exists()


def test_suggesting_imports_neither_sklearn_nor_scipy(data_dir: Path) -> None:
    script = (
        "import sys, json\n"
        "from socsec.cli.main import main\n"
        "sys.argv = ['socsec', '--data-dir', sys.argv[1], 'bib', 'suggest', '--text', sys.argv[2],"
        " '--json']\n"
        "try:\n    main()\nexcept SystemExit as e:\n    assert not e.code, e.code\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('sklearn', 'scipy'))\n"
        "print(json.dumps(bad), file=sys.stderr)\n"
    )
    env = {**os.environ, "SOCSEC_NO_FAST_PATH": "1"}
    done = subprocess.run(
        [sys.executable, "-c", script, str(data_dir), TEXT],
        capture_output=True, text=True, env=env, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stderr.strip().splitlines()[-1]) == []
    uris = [s["uri"] for s in json.loads(done.stdout)["suggestions"]]
    assert EARLY_RETIREMENT in uris[:3]


def test_forest_scores_as_sklearn_does(vocab: Vocabulary) -> None:
    from socsec.suggest.evaluate import read_jsonl

    docs = [
        Document(d.id, d.title, d.text, d.lang, tuple(u for u in d.subjects if u in vocab.index))
        for d, _s in read_jsonl(ACTS)
    ]
    lex = LexicalSuggester(vocab)
    lex.fit(docs[:70])
    assert lex.forest is not None
    rows = [lex.rows(d) for d in docs[70:]]
    features = lex._features(
        np.concatenate([r.cids for r in rows]), np.concatenate([r.static for r in rows])
    )
    from sklearn.ensemble import HistGradientBoostingClassifier

    all_rows = [lex.rows(d) for d in docs[:70]]
    golds = [[vocab.index[u] for u in d.subjects] for d in docs[:70]]
    own = np.concatenate([np.isin(r.cids, g) for r, g in zip(all_rows, golds, strict=True)])
    train = lex._features(
        np.concatenate([r.cids for r in all_rows]),
        np.concatenate([r.static for r in all_rows]),
        own,
        np.concatenate([r.direct for r in all_rows]),
    )
    clf = HistGradientBoostingClassifier(
        max_iter=120, learning_rate=0.1, max_leaf_nodes=7, random_state=0
    ).fit(train, own.astype(int))
    expected = clf.predict_proba(features)[:, 1]
    assert np.allclose(Forest.from_sklearn(clf).predict_proba(features), expected, atol=1e-9)
    assert np.allclose(lex.forest.predict_proba(features), expected, atol=1e-9)
    big = np.tile(features, (4096 // len(features) + 2, 1))  # scored in blocks
    assert np.allclose(lex.forest.predict_proba(big), clf.predict_proba(big)[:, 1], atol=1e-9)


def test_tag_edit_and_search_never_train(data_dir: Path) -> None:
    path = data_dir / "suggest" / "model.npz"
    before, trainings = _fingerprint(path), service.TRAININGS[0]
    ws = open_workspace(Settings.load(data_dir=data_dir))
    with get_store(ws) as store:
        record = next(r.id for r in store.iter_records() if r.subjects)
    assert run(data_dir, "bib", "tag", record, EARLY_RETIREMENT)[0] == 0
    code, _out, err = run(
        data_dir, "thesaurus", "concept", "edit", EARLY_RETIREMENT, "--alt", "en:retiring early"
    )
    assert code == 0, err
    assert run(data_dir, "search", "pension", "--json")[0] == 0
    assert (_fingerprint(path), service.TRAININGS[0]) == (before, trainings)
    # The next suggestion uses the model in hand (stale, within the threshold) and says so.
    code, out, err = run(data_dir, "bib", "suggest", "--text", TEXT, "--json")
    assert code == 0, err
    assert "refresh it with: socsec bib suggest --train" in err
    assert (_fingerprint(path), service.TRAININGS[0]) == (before, trainings)
    assert json.loads(out)["suggestions"]


def test_explicit_training_and_staleness_beyond_the_threshold(data_dir: Path) -> None:
    path = data_dir / "suggest" / "model.npz"
    trainings = service.TRAININGS[0]
    code, _out, err = run(data_dir, "bib", "suggest", "--train", "--json")
    assert code == 0, err
    assert service.TRAININGS[0] == trainings + 1
    fresh = _fingerprint(path)
    ws = open_workspace(Settings.load(data_dir=data_dir))
    with get_store(ws) as store:
        tagged = [r for r in store.iter_records() if r.subjects][:40]  # 40 of 99 records
        for r in tagged:
            store.untag(r.id, [s.uri for s in r.subjects])
    code, _out, err = run(data_dir, "bib", "suggest", "--text", TEXT)
    assert code == 0, err
    assert "retraining" in err
    assert service.TRAININGS[0] == trainings + 2 and _fingerprint(path) != fresh


def test_unreadable_model_is_retrained(data_dir: Path) -> None:
    path = data_dir / "suggest" / "model.npz"
    path.write_bytes(b"not a zip")
    code, _out, err = run(data_dir, "bib", "suggest", "--text", TEXT, "--json")
    assert code == 0, err
    assert "Training the suggestion model" in err
    assert zipfile.is_zipfile(path)


def test_training_without_the_extra_names_the_pip_command(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "sklearn", None)  # as if scikit-learn were not installed
    code, out, err = run(data_dir, "bib", "suggest", "--train")
    assert code == 6 and out == ""
    assert "training the suggestion model needs: pip install 'socsec[suggest]'" in err
    assert len([line for line in err.splitlines() if "pip install" in line]) == 1
    # Scoring a model already trained still works without it.
    code, out, err = run(data_dir, "bib", "suggest", "--text", TEXT, "--json")
    assert code == 0, err


def test_update_adds_records_tagged_since_training_without_training(data_dir: Path) -> None:
    ws = open_workspace(Settings.load(data_dir=data_dir))
    with get_store(ws) as store:
        later = [r for r in store.iter_records() if r.subjects][:5]
        for r in later:
            store.untag(r.id, [s.uri for s in r.subjects])
    service.train(ws, folds=0)
    trainings, before = service.TRAININGS[0], service.SuggestModel.load(service.model_path(ws))
    assert before is not None and not {r.id for r in later} & set(before.ensemble.associative.ids)
    with get_store(ws) as store, get_cache(ws) as checker:
        for r in later:
            store.tag(r.id, [s.uri for s in r.subjects], checker=checker)
    model, added = service.update(ws)
    assert added == 5 and model.records == before.records + 5
    assert service.TRAININGS[0] == trainings  # no training ran
    saved = service.SuggestModel.load(service.model_path(ws))
    assert saved is not None and {r.id for r in later} <= set(saved.ensemble.associative.ids)
    assert service.update(ws)[1] == 0  # nothing new
