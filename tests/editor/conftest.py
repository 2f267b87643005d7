"""Fixtures of the tests that ask the real editor (see editor_harness.py).

- ``oracle`` (session): the editor's answers, from the cache when it has them; on the first
  question it has not, a ComfyUI server serving the pinned editor is started (with its own
  directories, on a free port) and Chromium opens it. Both are stopped at the end of the session.

What the oracle needs (the editor package, Chromium, a ComfyUI install) comes from
scripts/editor_setup.py and scripts/install-comfyui.sh, which scripts/test.sh runs. Without them
the tests that need a live editor are skipped, or fail when ``COMFYDSL_REQUIRE_SERVER=1`` or
``CI`` is set. Everything collected here is marked ``editor``.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import NoReturn

import pytest
from corpus import missing
from editor_harness import AnswerCache, Editor, Oracle, cache_folder, server_module, setup

HERE = Path(__file__).resolve().parent


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test under tests/editor as ``editor``."""
    for item in items:
        if item.path.is_relative_to(HERE):
            item.add_marker(pytest.mark.editor)


def _unavailable(reason: str) -> NoReturn:
    missing(
        f"{reason}\nThe editor tests need the pinned editor, Chromium and a ComfyUI install: "
        "run scripts/test.sh (it installs them into ~/.cache/comfydsl)."
    )


@pytest.fixture(scope="session")
def oracle(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Oracle]:
    """The editor's answers (cached; a live editor is started on the first cache miss)."""
    servers = []

    def start() -> Editor:
        frontend = setup.frontend_dir()
        if not (frontend / "index.html").is_file():
            _unavailable(f"the editor is not installed at {frontend}")
        browser = setup.find_browser()
        if browser is None:
            _unavailable("Chromium is not installed")
        try:
            install = server_module.find_install()
        except server_module.ServerUnavailable as error:
            install = None
            _unavailable(str(error))
        if install is None:
            _unavailable("no ComfyUI server is installed")
        server = server_module.ComfyUIServer(
            install,
            root=tmp_path_factory.mktemp("editor-server"),
            extra_args=("--front-end-root", str(frontend)),
        )
        try:
            server.start()
        except server_module.ServerStartError as error:
            pytest.fail(str(error), pytrace=False)
        servers.append(server)
        return Editor(server.url, browser)

    found = Oracle(AnswerCache(cache_folder()), start)
    try:
        yield found
    finally:
        found.stop()
        for server in servers:
            server.stop()
