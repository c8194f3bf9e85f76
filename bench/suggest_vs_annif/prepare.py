"""Write the EUR-Lex split as Annif document corpora and train a Punkt model for NLTK.

Run with the Annif venv's Python (it needs nltk):
    bench/.annif-venv/bin/python bench/suggest_vs_annif/prepare.py WORKDIR

Writes WORKDIR/corpus/{train,validation}/<celex>.txt (title, blank line, summary text) and
<celex>.tsv (one "<uri>\tlabel" line per gold EuroVoc descriptor), and
WORKDIR/nltk_data/tokenizers/punkt_tab/english/ (NLTK's punkt_tab layout), trained with
nltk's PunktTrainer on the training texts, since punkt_tab cannot be downloaded here.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

DATA = Path(__file__).resolve().parents[3] / "shared/data/eurlex/eurlex-train-validation.jsonl"
EUROVOC = "http://eurovoc.europa.eu/"


def main(workdir: Path) -> None:
    """Write the corpora and the Punkt parameters under ``workdir``."""
    from nltk.tokenize.punkt import PunktTrainer, save_punkt_params

    train_texts: list[str] = []
    for line in DATA.read_text(encoding="utf-8").splitlines():
        act = json.loads(line)
        folder = workdir / "corpus" / act["split"]
        folder.mkdir(parents=True, exist_ok=True)
        text = f"{act['title']}\n\n{act['text']}"
        (folder / f"{act['id']}.txt").write_text(text, encoding="utf-8")
        keys = "".join(
            f"<{EUROVOC}{i}>\t{label}\n"
            for i, label in zip(act["eurovoc_ids"], act["eurovoc_labels_en"], strict=True)
        )
        (folder / f"{act['id']}.tsv").write_text(keys, encoding="utf-8")
        if act["split"] == "train":
            train_texts.append(text)
    trainer = PunktTrainer()
    trainer.INCLUDE_ALL_COLLOCS = True
    trainer.train("\n\n".join(train_texts), finalize=True)
    target = workdir / "nltk_data" / "tokenizers" / "punkt_tab" / "english"
    target.mkdir(parents=True, exist_ok=True)
    save_punkt_params(trainer.get_params(), dir=str(target))
    print(f"corpora and punkt_tab written under {workdir}")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
