"""Cold-process timing of `socsec thesaurus lookup pension` (prints figures, asserts nothing).

Usage: .venv/bin/python bench/thesaurus_lookup.py [--runs 21] [--full]

Builds a data dir in a temp folder from the bundled thesaurus (and with --full, also all of
EuroVoc and the UNESCO Thesaurus from /work/shared/data), then runs each command as a fresh
process several times, hyperfine-style (one warm-up run, then the median), next to baselines
that show the floor set by the interpreter and the CLI framework.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SHARED = Path(
    os.environ.get("SOCSEC_SHARED_DATA", Path(__file__).resolve().parents[2] / "shared" / "data")
)
PY = sys.executable
SOCSEC = str(Path(PY).with_name("socsec"))


def median_ms(cmd: list[str], env: dict[str, str], runs: int) -> tuple[float, float, float]:
    """Median wall time, min wall time and median CPU time (user+sys) of ``runs`` processes.

    CPU time is reported too because it moves much less than wall time on a busy machine.
    """
    subprocess.run(cmd, env=env, capture_output=True, check=False)  # warm-up (page cache)
    walls, cpus = [], []
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        proc = subprocess.run(cmd, env=env, capture_output=True, check=False)
        walls.append((time.perf_counter() - start) * 1000)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append((after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime) * 1000)
        if proc.returncode not in (0, 4):
            sys.exit(f"{cmd} failed ({proc.returncode}): {proc.stderr.decode()[-500:]}")
    return statistics.median(walls), min(walls), statistics.median(cpus)


def compile_package() -> None:
    """Write socsec's bytecode, as installing the wheel does.

    An editable install under PYTHONDONTWRITEBYTECODE=1 (set on this machine) would otherwise
    recompile every socsec module in every measured process, a cost users never pay.
    """
    import socsec

    package = Path(socsec.__file__).parent
    subprocess.run([PY, "-m", "compileall", "-q", str(package)], check=True, env=os.environ)


def prepare(root: Path, full: bool) -> None:
    from socsec.config import Settings
    from socsec.thesaurus.bundle import initialize_thesaurus
    from socsec.thesaurus.manage import import_file
    from socsec.workspace import Workspace

    ws = Workspace(root=root, settings=Settings.load(data_dir=root))
    initialize_thesaurus(ws)
    if full:
        import_file(ws, SHARED / "eurovoc/eurovoc-en-fr-es.ttl")
        import_file(ws, SHARED / "unesco/unesco-thesaurus-2024-10-08.ttl")
    # The bibliography helper's first-run init is not what is measured here.
    ws.bibliography_db.touch(exist_ok=True)


LOOKUP_LIB = (
    "import sys; from pathlib import Path; from socsec.thesaurus.lookup import ThesaurusCache;"
    "c = ThesaurusCache.open(Path(sys.argv[1])); print(len(c.lookup('pension')));"
    "assert 'rdflib' not in sys.modules"
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=21)
    parser.add_argument("--full", action="store_true", help="also EuroVoc + UNESCO imported")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        prepare(root, args.full)
        env = {**os.environ, "SOCSEC_HOME": str(root)}
        label = "bundled + EuroVoc + UNESCO" if args.full else "bundled (455 concepts)"
        compile_package()
        cases = [
            ("python -c pass", [PY, "-c", "pass"]),
            ("import typer + rich.console", [PY, "-c", "import typer, rich.console"]),
            ("import socsec.cli.app", [PY, "-c", "import socsec.cli.app"]),
            (
                "library lookup only (no CLI)",
                [PY, "-c", LOOKUP_LIB, str(root / "thesaurus.sqlite")],
            ),
            (
                "socsec thesaurus lookup pension --json",
                [SOCSEC, "thesaurus", "lookup", "pension", "--json"],
            ),
            ("socsec thesaurus lookup pension", [SOCSEC, "thesaurus", "lookup", "pension"]),
            (
                "  the same through Typer (fast path off)",
                [SOCSEC, "thesaurus", "lookup", "pension"],
                {"SOCSEC_NO_FAST_PATH": "1"},
            ),
            (
                "socsec thesaurus lookup unemploymnet (fuzzy)",
                [SOCSEC, "thesaurus", "lookup", "unemploymnet"],
            ),
            (
                "lookup 'prestations de maladie' (word variant)",
                [SOCSEC, "thesaurus", "lookup", "prestations de maladie", "--json"],
            ),
        ]
        print(f"data: {label}; {args.runs} runs each; wall median / wall min / CPU median, ms")
        print(f"  (load average now: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs)")
        for name, cmd, *extra_env in cases:
            med, low, cpu = median_ms(
                cmd, {**env, **(extra_env[0] if extra_env else {})}, args.runs
            )
            print(f"  {name:48s} {med:7.1f} / {low:7.1f} / {cpu:7.1f}")


if __name__ == "__main__":
    main()
