"""The Lambda code as it ships: sources with bytecode compiled for the target runtime, reproducibly.

Lambda's file system is read-only: a module without its `.pyc` in the package is compiled again
on every cold start. So every artifact (the API's code, its dependency layer, the functions'
code) carries bytecode made by the runtime's own Python (`RUNTIME`), with `unchecked-hash`
invalidation (no source stat, no timestamp in the file) and a fixed hash seed, and zips are
written with sorted entries and fixed dates: two synths of one commit give the same asset hashes.
`make bench` builds the same artifact for the interpreter it measures with.
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Iterable, Iterator
from pathlib import Path

from infra.shared import ROOT

# The one Lambda runtime of the stack (the API, the layer and the functions).
RUNTIME = "python3.12"
RUNTIME_VERSION = (3, 12)
# Where Lambda mounts code and layers: compiled file names point there (tracebacks show them).
TASK_ROOT = "/var/task"
LAYER_ROOT = "/opt"

# What the functions/ Lambdas import: their handlers, the shared code and the registry's settings.
FUNCTION_SOURCES = ("functions", "chalicelib", "infra/__init__.py", "infra/shared.py")
# What the API Lambda imports (Chalice packages the same: app.py and chalicelib/).
API_SOURCES = ("app.py", "chalicelib")

# Installed with the requirements but never imported at run time: build tools and their hooks.
LAYER_DROP = ("setuptools", "pkg_resources", "_distutils_hack", "pip", "wheel", "distutils-precedence.pth")
# google-api-python-client ships ~600 discovery documents (~100 MB unpacked); the calendar sync
# builds only Calendar v3 from its static document (issue 19).
KEPT_DISCOVERY = ("calendar.v3.json",)
_FIXED_DATE = (1980, 1, 1, 0, 0, 0)


class BytecodeError(RuntimeError):
    """No interpreter of the target runtime to compile with, or a module that does not compile."""


def runtime_python() -> str:
    """An interpreter of the Lambda runtime's version: $LAMBDA_PYTHON, python3.12, or pyenv's 3.12."""
    candidates = [os.environ.get("LAMBDA_PYTHON", ""), "python3.12", sys.executable]
    pyenv_root = os.environ.get("PYENV_ROOT") or os.path.expanduser("~/.pyenv")
    candidates += sorted(glob.glob(f"{pyenv_root}/versions/3.12.*/bin/python3.12"), reverse=True)
    wanted = ".".join(map(str, RUNTIME_VERSION))
    for candidate in filter(None, candidates):
        try:
            found = subprocess.run(
                [candidate, "-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
                capture_output=True,
                text=True,
                timeout=30,
            )
        except (OSError, subprocess.SubprocessError):
            continue
        if found.returncode == 0 and found.stdout.strip() == wanted:
            return candidate
    raise BytecodeError(f"Python {wanted} is needed to compile the Lambda bytecode ({RUNTIME}); set LAMBDA_PYTHON")


def _source_files(sources: Iterable[str], root: Path) -> Iterator[Path]:
    for source in sources:
        path = root / source
        if path.is_file():
            yield path
            continue
        for file in sorted(path.rglob("*")):
            if file.is_file() and "__pycache__" not in file.parts and file.suffix != ".pyc":
                yield file


def copy_sources(dest: Path, sources: Iterable[str], root: Path = ROOT) -> None:
    """Copy the project files of `sources` (files or directories) into `dest`, without bytecode."""
    for file in _source_files(sources, root):
        target = dest / file.relative_to(root)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(file, target)


def compile_tree(tree: Path, mount: str, python: str) -> None:
    """Write `unchecked-hash` bytecode next to every module of `tree`, as `mount` will see the files."""
    result = subprocess.run(
        [
            python,
            "-m",
            "compileall",
            "-q",
            "-f",
            "--invalidation-mode",
            "unchecked-hash",
            "-s",
            str(tree),
            "-p",
            mount,
            str(tree),
        ],
        capture_output=True,
        text=True,
        # Constants such as frozensets are marshalled in hash order: a fixed seed keeps them stable.
        env={**os.environ, "PYTHONHASHSEED": "0", "SOURCE_DATE_EPOCH": "315532800"},
    )
    if result.returncode != 0:
        raise BytecodeError(f"compileall failed in {tree}:\n{result.stdout}{result.stderr}")


def build_code(dest: Path, sources: Iterable[str], python: str, root: Path = ROOT) -> Path:
    """A Lambda code directory: the sources and their bytecode for `python` (the runtime's)."""
    dest.mkdir(parents=True, exist_ok=True)
    copy_sources(dest, sources, root)
    compile_tree(dest, TASK_ROOT, python)
    return dest


_ZLIB_LEVEL = 6


def write_zip(tree: Path, zip_path: Path) -> None:
    """Zip `tree` reproducibly: sorted entries, fixed dates and modes.

    zlib's default level 6: level 9 took 2.5 times as long on the 48 MB layer for 0.3% less.
    """
    files = sorted(p for p in tree.rglob("*") if p.is_file())
    with zipfile.ZipFile(zip_path, "w", zipfile.ZIP_DEFLATED, compresslevel=_ZLIB_LEVEL) as archive:
        for file in files:
            info = zipfile.ZipInfo(file.relative_to(tree).as_posix(), date_time=_FIXED_DATE)
            executable = os.access(file, os.X_OK)
            info.external_attr = (0o100755 if executable else 0o100644) << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, file.read_bytes(), compresslevel=_ZLIB_LEVEL)


def _drop_unneeded(tree: Path) -> None:
    for site in [tree, *tree.glob("python/lib/python3.*/site-packages")]:
        for name in LAYER_DROP:
            for path in (site / name, *site.glob(f"{name}-*.dist-info")):
                if path.is_dir():
                    shutil.rmtree(path)
                elif path.exists():
                    path.unlink()
        for document in (site / "googleapiclient" / "discovery_cache" / "documents").glob("*.json"):
            if document.name not in KEPT_DISCOVERY:
                document.unlink()


def rebuild_zip(zip_path: Path, mount: str, python: str, *, layer: bool = False) -> None:
    """Rewrite a package zip (Chalice's) with bytecode for the runtime, reproducibly.

    A layer also loses the build tools pip leaves in it (setuptools...). Bytecode already in the
    zip (made by whatever Python packaged it) is replaced.
    """
    with tempfile.TemporaryDirectory(prefix="lambda-zip-") as tmp:
        tree = Path(tmp) / "tree"
        with zipfile.ZipFile(zip_path) as archive:
            archive.extractall(tree)
        for cache in sorted(tree.rglob("__pycache__"), reverse=True):
            shutil.rmtree(cache)
        if layer:
            _drop_unneeded(tree)
        compile_tree(tree, mount, python)
        write_zip(tree, zip_path)
