#!/usr/bin/env python3
"""Set up and run Sgwrs with nothing but Python: `python3 scripts/dev.py run|test|chat|call|lint`
(and `bench`).

It keeps a virtual environment in .venv and reinstalls only when pyproject.toml changes, so the
README's two commands work on a fresh machine and stay quick on the second run.
"""

from __future__ import annotations

import base64
import ctypes.util
import hashlib
import io
import os
import re
import shutil
import subprocess
import sys
import tarfile
import urllib.request
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
STAMP = VENV / ".sgwrs-installed"
NPM_REGISTRY = "https://registry.npmjs.org"
#: Bumped when the unpacking changes, so existing checkouts unpack again.
VENDOR_LAYOUT = 2
#: Front-end packages from the npm registry, fetched by Python (no Node needed) and checked
#: against the registry's sha512 integrity: name -> (version, integrity, {member prefix: folder}).
#: govuk-frontend 6.3.0 is the release govuk-frontend-jinja 4.1.0 targets: change them together.
NPM_PACKAGES = {
    "govuk-frontend": (
        "6.3.0",
        "sha512-cXIQxm5PHCsbic47GXZrVBZhAeeshTLRL6ZBKilLsR6rMCjJuWb7Fruq0VUNMBJFlJk/srsRj/q8d5bM9cgKoA==",
        {"package/dist/govuk/": ROOT / "admin/static/vendor/govuk-frontend"},
    ),
    "axe-core": (
        "4.14.1",
        "sha512-FHfa+lmNjQZfJz1q8wKqIDwC6DExcHt/pkjNQb09a3NPjCKg2rhu5qb2S4r76ASyFNNtuFooJpZe37OgudVGtQ==",
        {"package/axe.min.js": ROOT / "tests/vendor/axe.min.js"},
    ),
}


def _run(*command: str | Path, quiet: bool = False) -> None:
    """Run a command; `quiet` shows its output only if it fails (pip's build chatter)."""
    result = subprocess.run(
        [str(part) for part in command], cwd=ROOT, capture_output=quiet, text=True, check=False
    )
    if result.returncode != 0:
        if quiet:
            print(result.stdout, result.stderr, sep="\n")
        raise SystemExit(result.returncode)


def setup() -> None:
    """Create .venv and install Sgwrs with its test tools, unless already up to date."""
    wanted = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    if STAMP.exists() and STAMP.read_text() == wanted:
        return
    if not (BIN / "python").exists():
        print("Creating .venv ...", flush=True)
        venv.create(VENV, with_pip=True)
    print("Installing Sgwrs and its test tools into .venv ...", flush=True)
    _run(BIN / "python", "-m", "pip", "install", "--quiet", "--upgrade", "pip", quiet=True)
    _run(BIN / "python", "-m", "pip", "install", "--quiet", "-e", ".[dev]", quiet=True)
    STAMP.write_text(wanted)


def fetch_npm_packages() -> None:
    """Unpack the pinned front-end packages (GOV.UK Frontend, axe-core) unless already there."""
    for name, (version, integrity, wanted) in NPM_PACKAGES.items():
        stamp = ROOT / "instance" / f".npm-{name}-{version}-{VENDOR_LAYOUT}"
        if stamp.exists() and all(target.exists() for target in wanted.values()):
            continue
        print(f"Fetching {name} {version} from the npm registry ...", flush=True)
        url = f"{NPM_REGISTRY}/{name}/-/{name}-{version}.tgz"
        with urllib.request.urlopen(url, timeout=60) as response:
            data = response.read()
        digest = "sha512-" + base64.b64encode(hashlib.sha512(data).digest()).decode()
        if digest != integrity:
            raise SystemExit(f"{name} {version}: integrity check failed, refusing to use it")
        with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as archive:
            for prefix, target in wanted.items():
                _extract(archive, prefix, target)
        stamp.parent.mkdir(parents=True, exist_ok=True)
        stamp.write_text(integrity)


def _extract(archive: tarfile.TarFile, prefix: str, target: Path) -> None:
    members = [m for m in archive.getmembers() if m.isfile() and m.name.startswith(prefix)]
    if not members:
        raise SystemExit(f"{prefix} is not in the package")
    if prefix.endswith("/"):
        shutil.rmtree(target, ignore_errors=True)
    for member in members:
        relative = member.name.removeprefix(prefix)
        destination = target / relative if prefix.endswith("/") else target
        if ".." in Path(relative).parts:
            raise SystemExit(f"unsafe path in package: {member.name}")
        destination.parent.mkdir(parents=True, exist_ok=True)
        source = archive.extractfile(member)
        assert source is not None
        data = source.read()
        if destination.name == "govuk-frontend.min.css":
            data = _for_a_council(data)
        destination.write_bytes(data)


def _for_a_council(css: bytes) -> bytes:
    """GOV.UK Frontend's CSS without the GOV.UK typeface (only GOV.UK may use it), and with
    its image paths relative to where Flask serves it rather than the site root."""
    text = re.sub(r"@font-face\{[^}]*\}", "", css.decode("utf-8"))
    return text.replace("url(/assets/", "url(assets/").encode("utf-8")


def _apt_install(packages: list[str], doing: str, otherwise: str) -> None:
    """Install Debian packages where we may (as root, with apt); else say what is missing."""
    if shutil.which("apt-get") and hasattr(os, "geteuid") and os.geteuid() == 0:
        print(f"{doing} (apt-get: {', '.join(packages)}) ...", flush=True)
        subprocess.run(["apt-get", "update", "-qq"], check=True)
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        subprocess.run(["apt-get", "install", "-y", "-qq", *packages], check=True, env=env)
    else:
        print(otherwise)


def ensure_chromium() -> None:
    """The browser tests drive Debian's Chromium."""
    if not Path("/usr/bin/chromium").exists():
        _apt_install(
            ["chromium"],
            "Installing Chromium for the browser tests",
            "Chromium is not installed: the browser tests will be skipped (not under CI).",
        )


def ensure_dictionaries() -> None:
    """`sgwrs flows check` spells Welsh with aspell-cy and English with aspell-en (en_GB)."""
    found = (
        subprocess.run(["aspell", "dicts"], capture_output=True, text=True, check=False)
        if shutil.which("aspell")
        else None
    )
    if found is None or not {"cy", "en_GB"} <= set(found.stdout.split()):
        _apt_install(
            ["aspell", "aspell-cy", "aspell-en"],
            "Installing the Welsh and English dictionaries",
            "The spell check needs aspell with its Welsh and English dictionaries: "
            "install aspell-cy and aspell-en (e.g. sudo apt-get install aspell-cy aspell-en).",
        )


def ensure_pango() -> None:
    """The public response's PDF is drawn by WeasyPrint, which loads Pango from the system;
    without it the page still prints from the browser, but offers no PDF."""
    if not all(ctypes.util.find_library(name) for name in ("pango-1.0", "pangoft2-1.0")):
        _apt_install(
            ["libpango-1.0-0", "libpangoft2-1.0-0"],
            "Installing Pango for the public response's PDF",
            "Pango is not installed: the public response page will offer no PDF "
            "(e.g. sudo apt-get install libpango-1.0-0 libpangoft2-1.0-0).",
        )


def ensure_load_tools() -> None:
    """The benchmarks load the service with wrk, give it a Redis of their own, and run the
    scaled-out shape through PgBouncer (left out, and said so, when it cannot be had)."""
    packages = {"wrk": "wrk", "redis-server": "redis-server", "pgbouncer": "pgbouncer"}
    path = f"{os.environ.get('PATH', '')}:/usr/sbin"  # where Debian puts pgbouncer
    missing = [
        package for tool, package in packages.items() if shutil.which(tool, path=path) is None
    ]
    if missing:
        _apt_install(
            missing,
            "Installing the benchmarks' load tools",
            f"The benchmarks need {' and '.join(missing)} (e.g. sudo apt-get install wrk).",
        )


def _exec(program: str, *args: str) -> None:
    """Replace this process with one of the virtualenv's programs. argv[0] is the full path:
    given a bare "python", the interpreter looks itself up on PATH, finds the system Python
    and loses the virtualenv's packages."""
    os.chdir(ROOT)
    path = str(BIN / program)
    os.execv(path, [path, *args])


def main(argv: list[str]) -> None:
    command, *rest = argv or ["help"]
    if command not in {"run", "test", "chat", "call", "lint", "setup", "bench"}:
        print(__doc__)
        raise SystemExit(0 if command == "help" else 2)
    setup()
    fetch_npm_packages()
    if command == "run":
        ensure_dictionaries()
        ensure_pango()
        _exec("sgwrs", "run", *rest)
    elif command in {"chat", "call"}:
        _exec("sgwrs", command, *rest)
    elif command == "test":
        ensure_chromium()
        ensure_dictionaries()
        ensure_pango()
        _exec("pytest", "-n", "auto", "-p", "no:cacheprovider", *rest)
    elif command == "bench":
        ensure_dictionaries()
        ensure_load_tools()
        _exec("python", "-m", "tests.bench", *rest)
    elif command == "lint":
        _run(BIN / "ruff", "check", ".")
        _run(BIN / "ruff", "format", "--check", ".")


if __name__ == "__main__":
    main(sys.argv[1:])
