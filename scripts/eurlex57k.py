"""Extract EURLEX57K (57,000 English EU acts with gold EuroVoc ids) into a JSON-lines file of
extra training acts for ``socsec eval suggest --also-train`` (written OUTSIDE the repository).

Source: the dataset of Chalkidis, Fergadiotis, Malakasiotis, Aletras, Androutsopoulos,
"Extreme Multi-Label Legal Text Classification: A Case Study in EU Legislation", NLLP
workshop 2019 (arXiv:1906.02192), as copied into the repository
https://github.com/SalvatoreTucci/lmtc-emnlp2020-master at commit
0ee74390f449e7219cb7f275eb40b70e08ea2b81, paths data/datasets/EURLEX57K/{train,dev,test}/
<CELEX>.json (fields celex_id, title, header, recitals, main_body, attachments, concepts).
Licence: CC BY-SA 4.0 per the dataset card (share-alike: the data is never committed here);
EUR-Lex content (c) European Union, reuse authorised under Commission Decision 2011/833/EU.
The source and the licence are written into every line.

Each line: ``id`` (CELEX), ``lang`` "en", ``title``, ``text``, ``eurovoc_ids``, ``source``,
``license`` (the form :func:`socsec.suggest.evaluate.read_jsonl` reads). The text is the
header, recitals and main body, truncated to ``--max-chars`` (default 1,500, the length of the
EUR-Lex summaries of the measured acts); ``--parts`` chooses which of them.

    python scripts/eurlex57k.py --git-dir DIR --out /tmp/s7k/eurlex57k.jsonl \
        --exclude ../shared/data/eurlex/eurlex-train-validation.jsonl \
        --exclude tests/data/suggest/eurlex-test-part.jsonl [--since 2005] [--most-recent N]
        [--no-commission] [--max-chars 1500] [--parts header,recitals,main_body]

DIR: a git directory of that repository holding the commit (a clone, or a mirror).
``--exclude`` drops every id present in the given JSON-lines files (the measured acts must
never be trained on).
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import tarfile
from collections.abc import Iterator
from pathlib import Path

COMMIT = "0ee74390f449e7219cb7f275eb40b70e08ea2b81"
REPO = "SalvatoreTucci/lmtc-emnlp2020-master"
PREFIX = "data/datasets/EURLEX57K/"
LICENSE = (
    "CC BY-SA 4.0 (EURLEX57K, Chalkidis et al. 2019); EUR-Lex content (c) European Union,"
    " Decision 2011/833/EU"
)
PARTS = ("header", "recitals", "main_body")
# The title up to the act's date ("Commission Regulation (EC) No 1/2004 of 5 January 2004 ...",
# "Regulation (EEC) No 2603/71 of the Commission of 6 December 1971 ..."): who adopted it.
AUTHOR_PART = re.compile(r"^(.*?)\bof \d")


def acts(git_dir: Path) -> Iterator[tuple[str, dict[str, object]]]:
    """(path, act) of every act of the dataset at the pinned commit (one ``git archive``)."""
    with subprocess.Popen(
        ["git", "--git-dir", str(git_dir), "archive", COMMIT, PREFIX], stdout=subprocess.PIPE
    ) as proc:
        assert proc.stdout is not None
        with tarfile.open(fileobj=proc.stdout, mode="r|") as tar:
            for member in tar:
                name = member.name
                if not member.isfile() or name.count("/") != 4 or not name.endswith(".json"):
                    continue  # the split folders hold the acts; EURLEX57K.json is not one
                fh = tar.extractfile(member)
                if fh is not None:
                    yield name, json.loads(fh.read())
    if proc.returncode:
        raise SystemExit(f"git archive failed ({proc.returncode}): is {COMMIT} in {git_dir}?")


def act_text(act: dict[str, object], parts: list[str], max_chars: int) -> str:
    """The chosen parts of an act, one per paragraph, truncated to ``max_chars``."""
    pieces: list[str] = []
    for part in parts:
        value = act.get(part) or ""
        pieces += [str(v).strip() for v in value] if isinstance(value, list) else [str(value)]
    text = "\n".join(p.strip() for p in pieces if p.strip())
    return text[:max_chars] if max_chars > 0 else text


def excluded_ids(files: list[Path]) -> set[str]:
    """Every ``id`` (and ``celex``) of the given JSON-lines files."""
    out: set[str] = set()
    for path in files:
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                item = json.loads(line)
                out |= {str(item[k]) for k in ("id", "celex") if item.get(k)}
    return out


def by_commission(title: str) -> bool:
    """Whether the title names the Commission as the act's author (before the act's date)."""
    found = AUTHOR_PART.match(title)
    return "commission" in (found.group(1) if found else title[:80]).lower()


def year(celex: str) -> int:
    """The year of a CELEX number (characters 2-5), 0 when there is none."""
    return int(celex[1:5]) if celex[1:5].isdigit() else 0


def main() -> None:
    """Read the acts, drop the excluded and older ones, write the JSON-lines file."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--git-dir", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True, help="JSON-lines file to write")
    parser.add_argument("--exclude", type=Path, action="append", default=[], help="repeatable")
    parser.add_argument("--since", type=int, default=0, help="keep acts of this year or later")
    parser.add_argument("--most-recent", type=int, default=0, help="keep the N newest acts")
    parser.add_argument(
        "--no-commission", action="store_true",
        help="drop acts adopted by the Commission (implementing acts: few have summaries)",
    )  # fmt: skip
    parser.add_argument("--max-chars", type=int, default=1500, help="text length (0: all)")
    parser.add_argument(
        "--parts", default=",".join(PARTS), help=f"comma-separated, of {', '.join(PARTS)}"
    )
    args = parser.parse_args()
    parts = [p for p in args.parts.split(",") if p]
    if not parts or set(parts) - set(PARTS):
        parser.error(f"--parts: choose among {', '.join(PARTS)}")
    repo = Path(__file__).resolve().parents[1]
    if args.out.resolve().is_relative_to(repo):
        parser.error("--out must be outside the repository (CC BY-SA data is not committed)")
    skip = excluded_ids(args.exclude)
    rows: list[tuple[int, str, str]] = []
    dropped = 0
    for path, act in acts(args.git_dir):
        celex = str(act["celex_id"])
        if celex in skip:
            dropped += 1
            continue
        if year(celex) < args.since or not act.get("concepts"):
            continue
        if args.no_commission and by_commission(str(act.get("title") or "")):
            continue
        row = {
            "id": celex, "lang": "en", "title": str(act.get("title") or "").strip(),
            "text": act_text(act, parts, args.max_chars),
            "eurovoc_ids": [str(c) for c in act["concepts"]],  # type: ignore[attr-defined]
            "source": f"{REPO}@{COMMIT[:8]} {path}", "license": LICENSE,
        }  # fmt: skip
        rows.append((year(celex), celex, json.dumps(row, ensure_ascii=False) + "\n"))
    rows.sort(key=lambda r: (-r[0], r[1]))  # newest first
    if args.most_recent > 0:
        rows = rows[: args.most_recent]
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with args.out.open("w", encoding="utf-8") as fh:
        fh.writelines(line for _y, _id, line in sorted(rows, key=lambda r: r[1]))
    years = sorted(y for y, _i, _l in rows)
    median = years[len(years) // 2] if years else None
    print(f"{args.out}: {len(rows)} acts (median year {median}); {dropped} excluded by id")


if __name__ == "__main__":
    main()
