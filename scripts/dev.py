#!/usr/bin/env python3
"""Set up and run Sgwrs with nothing but Python: `python3 scripts/dev.py run|test|chat|lint`.

It keeps a virtual environment in .venv and reinstalls only when pyproject.toml changes, so the
README's two commands work on a fresh machine and stay quick on the second run.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
STAMP = VENV / ".sgwrs-installed"


def _run(*command: str | Path) -> None:
    subprocess.run([str(part) for part in command], cwd=ROOT, check=True)


def setup() -> None:
    """Create .venv and install Sgwrs with its test tools, unless already up to date."""
    wanted = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    if STAMP.exists() and STAMP.read_text() == wanted:
        return
    if not (BIN / "python").exists():
        print("Creating .venv ...", flush=True)
        venv.create(VENV, with_pip=True)
    print("Installing Sgwrs and its test tools into .venv ...", flush=True)
    _run(BIN / "python", "-m", "pip", "install", "--quiet", "--upgrade", "pip")
    _run(BIN / "python", "-m", "pip", "install", "--quiet", "-e", ".[dev]")
    STAMP.write_text(wanted)


def _exec(program: str, *args: str) -> None:
    os.chdir(ROOT)
    os.execv(BIN / program, [program, *args])


def main(argv: list[str]) -> None:
    command, *rest = argv or ["help"]
    if command not in {"run", "test", "chat", "lint", "setup"}:
        print(__doc__)
        raise SystemExit(0 if command == "help" else 2)
    setup()
    if command == "run":
        _exec("sgwrs", "run", *rest)
    elif command == "chat":
        _exec("sgwrs", "chat", *rest)
    elif command == "test":
        _exec("pytest", "-n", "auto", "-p", "no:cacheprovider", *rest)
    elif command == "lint":
        _run(BIN / "ruff", "check", ".")
        _run(BIN / "ruff", "format", "--check", ".")


if __name__ == "__main__":
    main(sys.argv[1:])
