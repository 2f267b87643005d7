"""Running mypy on generated stubs and the scripts that use them, as the stub tests do."""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]


def run_mypy(api: Any, folder: Path, files: list[str], *, redefinition: bool = False) -> str:
    """mypy --strict on ``files`` with the checkout's comfydsl; its report (stderr must be empty).

    The checkout's comfydsl, whatever is installed, and nothing from sys.path: mypy would take
    the checkout found there (pytest puts it on sys.path) for an installed package, and keep quiet
    about errors in it. comfydsl's own modules are checked by the package's mypy run, so only the
    stub's and the scripts' errors count. ``redefinition``: a script reuses a name for nodes of
    different classes (``cond = A(...)`` then ``cond = B(cond)``), as the examples do.
    """
    config = folder / "mypy.ini"
    config.write_text(
        textwrap.dedent(f"""\
            [mypy]
            strict = True
            allow_redefinition = {redefinition}
            no_site_packages = True
            mypy_path = {ROOT}
            cache_dir = {folder / "mypy-cache"}
            [mypy-comfydsl.*]
            follow_imports = silent
            [mypy-comfydsl.nodes]
            follow_imports = normal
            """),
        encoding="utf-8",
    )
    stdout, stderr, _status = api.run(["--config-file", str(config), *files])
    assert "" == stderr
    return str(stdout)
