"""Fixtures of the tests that ask the real editor (see editor_harness.py).

- ``oracle`` (session): the editor's answers, from the cache when it has them; on the first
  question it has not, a ComfyUI server serving the pinned editor is started (with its own
  directories, on a free port) and Chromium opens it. Both are stopped at the end of the session.
- ``export_oracle`` (session): the same for exported workflows (export_harness.py), in a
  browser of its own that also knows the node packs; the two share one server.

What the oracle needs (the editor package, Chromium, a ComfyUI install) comes from
scripts/editor_setup.py and scripts/install-comfyui.sh, which scripts/test.sh runs. Without them
the tests that need a live editor are skipped, or fail when ``COMFYDSL_REQUIRE_SERVER=1`` or
``CI`` is set. Everything collected here is marked ``editor``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import NoReturn

import pytest
from corpus import missing
from editor_harness import AnswerCache, Editor, Oracle, cache_folder, server_module, setup
from export_harness import ExportEditor, ExportOracle

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
def editor_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Callable[[], str]]:
    """The URL of a ComfyUI server serving the pinned editor, started on first need."""
    servers = []

    def url() -> str:
        if servers:
            return str(servers[0].url)
        frontend = setup.frontend_dir()
        if not (frontend / "index.html").is_file():
            _unavailable(f"the editor is not installed at {frontend}")
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
        return str(server.url)

    try:
        yield url
    finally:
        for server in servers:
            server.stop()


def _browser() -> Path:
    browser = setup.find_browser()
    if browser is None:
        _unavailable("Chromium is not installed")
    return Path(browser)


@pytest.fixture(scope="session")
def oracle(editor_server: Callable[[], str]) -> Iterator[Oracle]:
    """The editor's answers (cached; a live editor is started on the first cache miss)."""

    def start() -> Editor:
        browser = _browser()
        return Editor(editor_server(), browser)

    found = Oracle(AnswerCache(cache_folder()), start)
    try:
        yield found
    finally:
        found.stop()


@pytest.fixture(scope="session")
def export_oracle(editor_server: Callable[[], str]) -> Iterator[ExportOracle]:
    """The editor's answers about exported workflows (cached; live on the first cache miss)."""

    def start() -> Editor:
        browser = _browser()
        return ExportEditor(editor_server(), browser)

    found = ExportOracle(AnswerCache(cache_folder()), start)
    try:
        yield found
    finally:
        found.stop()
