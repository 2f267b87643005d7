"""The real ComfyUI editor, headless, as a test oracle; and a cache of what it answered.

The editor (PyPI ``comfyui-frontend-package``, pinned in scripts/editor_setup.py) is served by a
real ComfyUI server started with ``--front-end-root`` and driven in Debian's Chromium by
Playwright (its own browser download is not used). What the tests ask of it:

- ``prompt_of(workflow)``: load a workflow as the editor loads a template
  (``app.loadGraphData(wf, true, true, null, {openSource: 'template'})``) and take the prompt it
  would queue (``(await app.graphToPrompt()).output``);
- ``loaded(workflow)``: the same load, then the editor's own serialisations of the graph
  (``workflow``, as "Save" writes it; ``schema_1``, its schema-1 form) and the nodes' geometry,
  title, type and mode as it holds them;
- ``widgets_of(classes)``: for node classes, the widgets the editor gives a fresh node (name,
  type, whether stored and whether sent), its input sockets and its widget values;
- ``screenshot(workflow)``: a PNG of the editor showing the workflow, the whole graph in view,
  dialogs and notices closed.

Answers are kept in a cache keyed by the editor's version, the server's version, this harness's
recipe and a hash of the question (:class:`AnswerCache`), so that only the first run pays for
the server and the browser: :class:`Oracle` starts them on the first question it cannot answer
from the cache.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
import os
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from corpus import load_script

setup = load_script("editor_setup")
server_module = load_script("comfyui_server")

EDITOR_VERSION = setup.FRONTEND_VERSION
SERVER_VERSION = server_module.COMFYUI_VERSION
#: Raise when what the harness asks of the editor changes: older answers are then asked again.
RECIPE = 1
#: Reload the page after this many workflows: the editor slows down as it keeps old graphs.
RELOAD_EVERY = 20

#: Chromium as root on a machine without a display or an outside network.
BROWSER_ARGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)

_LOAD = "wf => app.loadGraphData(wf, true, true, null, {openSource: 'template'})"

_PROMPT_OF = """async (wf) => {
  await app.loadGraphData(wf, true, true, null, {openSource: 'template'});
  return (await app.graphToPrompt()).output;
}"""

_LOADED = """async (wf) => {
  await app.loadGraphData(wf, true, true, null, {openSource: 'template'});
  const made = await app.graphToPrompt();
  return {
    workflow: made.workflow,
    schema_1: app.graph.asSerialisable ? app.graph.asSerialisable() : null,
    nodes: app.graph._nodes.map(n => ({
      id: n.id, type: n.type, title: n.title, mode: n.mode,
      pos: Array.from(n.pos), size: Array.from(n.size),
    })),
  };
}"""

_WIDGETS_OF = """(types) => {
  const found = {};
  for (const type of types) {
    const node = LiteGraph.createNode(type);
    if (!node) { found[type] = null; continue; }
    app.graph.add(node);
    const saved = node.serialize();
    found[type] = {
      widgets: (node.widgets || []).map(w => ({
        name: w.name,
        type: w.type,
        stored: w.serialize !== false,
        sent: !(w.options && w.options.serialize === false),
      })),
      widgets_values: saved.widgets_values === undefined ? null : saved.widgets_values,
      inputs: (node.inputs || []).map(i => ({name: i.name, type: i.type, widget: !!i.widget})),
      virtual: !!node.isVirtualNode,
    };
    app.graph.remove(node);
  }
  return found;
}"""


_FIT_VIEW = """() => {
  app.extensionManager.command.execute('Comfy.Canvas.FitView');
  app.extensionManager.toast.removeAll?.();
  document.querySelectorAll('.p-toast-message').forEach(e => e.remove());
}"""


def question_hash(kind: str, payload: Any) -> str:
    """A stable hash of one question: its kind and its JSON (keys sorted)."""
    text = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(f"{kind}\n{text}".encode()).hexdigest()


class AnswerCache:
    """The editor's answers on disk: ``ROOT/editor-<v>_comfyui-<v>_recipe-<n>/<kind>/<hash>.json``."""

    def __init__(self, root: Path) -> None:
        self.folder = root / f"editor-{EDITOR_VERSION}_comfyui-{SERVER_VERSION}_recipe-{RECIPE}"

    def path(self, kind: str, payload: Any) -> Path:
        return self.folder / kind / f"{question_hash(kind, payload)}.json"

    def get(self, kind: str, payload: Any) -> Any:
        """The answer kept for this question, or None."""
        path = self.path(kind, payload)
        try:
            return json.loads(path.read_text(encoding="utf-8"))["answer"]
        except (OSError, ValueError, KeyError):
            return None

    def put(self, kind: str, payload: Any, answer: Any) -> None:
        """Keep an answer (written whole, then renamed: a crash leaves no half file)."""
        path = self.path(kind, payload)
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(
            "w", encoding="utf-8", dir=path.parent, delete=False, suffix=".tmp"
        ) as handle:
            json.dump({"answer": answer}, handle, ensure_ascii=False)
        os.replace(handle.name, path)


class Editor:
    """One headless Chromium showing the editor of the ComfyUI server at ``url``."""

    def __init__(self, url: str, browser: Path) -> None:
        from playwright.sync_api import sync_playwright

        self.url = url
        self._playwright = sync_playwright().start()
        try:
            self._browser = self._playwright.chromium.launch(
                executable_path=str(browser), args=list(BROWSER_ARGS)
            )
            self.page = self._browser.new_page(viewport={"width": 1600, "height": 1000})
            self._open()
        except BaseException:
            self._playwright.stop()
            raise
        self._since_reload = 0

    def _open(self) -> None:
        self.page.goto(self.url)
        self.page.wait_for_function("window.app && window.app.graph", timeout=180_000)

    def _tick(self) -> None:
        self._since_reload += 1
        if self._since_reload >= RELOAD_EVERY:
            self.page.reload()
            self.page.wait_for_function("window.app && window.app.graph", timeout=180_000)
            self._since_reload = 0

    def prompt_of(self, workflow: Any) -> Any:
        """The prompt the editor queues for ``workflow`` (its ``graphToPrompt().output``)."""
        self._tick()
        return self.page.evaluate(_PROMPT_OF, workflow)

    def loaded(self, workflow: Any) -> Any:
        """The editor's own serialisation of ``workflow`` after loading it, and its nodes."""
        self._tick()
        return self.page.evaluate(_LOADED, workflow)

    def widgets_of(self, classes: Iterable[str]) -> Any:
        """The widgets, sockets and widget values of a fresh node of each class."""
        return self.page.evaluate(_WIDGETS_OF, list(classes))

    def screenshot(self, workflow: Any | None = None) -> bytes:
        """A PNG of the editor (after loading ``workflow``, when given), the whole graph in view
        and no dialog or notice over it."""
        self._tick()
        if workflow is not None:
            self.page.evaluate(_LOAD, workflow)
        self.page.evaluate(_FIT_VIEW)
        self.page.keyboard.press("Escape")
        self.page.wait_for_timeout(300)  # the canvas draws on the next animation frames
        return self.page.screenshot()

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self._browser.close()
        self._playwright.stop()


class Oracle:
    """The editor's answers: from the cache, else from an editor started on first need.

    ``start`` makes the Editor (and the server under it) when first called; ``stop`` ends them.
    ``asked`` counts the questions the editor itself answered (0 on a warm cache).
    """

    def __init__(self, cache: AnswerCache, start: Callable[[], Editor]) -> None:
        self.cache = cache
        self._start = start
        self._editor: Editor | None = None
        #: Why the editor could not be started (a skip or a failure), given again to every
        #: later question instead of trying again.
        self._refused: BaseException | None = None
        self.asked = 0

    @property
    def editor(self) -> Editor:
        """The live editor, started now if it is not running yet."""
        if self._refused is not None:
            raise self._refused
        if self._editor is None:
            try:
                self._editor = self._start()
            except BaseException as refused:
                self._refused = refused
                raise
        return self._editor

    def prompt_of(self, workflow: Any) -> Any:
        """The editor's prompt for ``workflow``."""
        return self._ask("prompt", workflow, lambda: self.editor.prompt_of(workflow))

    def loaded(self, workflow: Any) -> Any:
        """The editor's serialisation and nodes after loading ``workflow``."""
        return self._ask("loaded", workflow, lambda: self.editor.loaded(workflow))

    def widgets_of(self, classes: list[str]) -> Any:
        """The editor's widgets of a fresh node of each class."""
        return self._ask("widgets", classes, lambda: self.editor.widgets_of(classes))

    def screenshot_of(self, workflow: Any) -> bytes:
        """A PNG of the editor showing ``workflow`` (see Editor.screenshot)."""
        found = self._ask(
            "screenshot",
            workflow,
            lambda: base64.b64encode(self.editor.screenshot(workflow)).decode("ascii"),
        )
        return base64.b64decode(found)

    def _ask(self, kind: str, payload: Any, ask: Callable[[], Any]) -> Any:
        found = self.cache.get(kind, payload)
        if found is None:
            found = ask()
            self.asked += 1
            self.cache.put(kind, payload, found)
        return found

    def stop(self) -> None:
        if self._editor is not None:
            self._editor.close()
            self._editor = None


def cache_folder(env: Any = os.environ) -> Path:
    """Where the answers are kept: ``<cache>/editor-answers``."""
    root: Path = setup.cache_root(env)
    return root / "editor-answers"
