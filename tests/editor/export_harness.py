"""The real editor as the judge of exported workflows (see editor_harness.py for the harness).

An exported workflow is opened the way a user opens a file (``app.loadGraphData``), and the
editor is asked:

- the prompt it would queue (``graphToPrompt().output``) and its own re-serialisation of the
  workflow (``.workflow``): what it understood of the file;
- whether it complained: node types it reports missing (its "Missing Node Packs" panel), toasts,
  dialogs, and console warnings or errors printed while loading (export_checks.complaints leaves
  out those that say nothing about the file, see IGNORED_CONSOLE);
- each node's geometry as it holds it after the load (``app.graph._nodes``: ``pos``, ``size``),
  in its own coordinates: it grows a node that a file makes too small, so overlaps are judged
  there;
- a screenshot of the canvas.

The editor is given the node packs' definitions as well as stock ComfyUI's (its
``/api/object_info`` is answered with both: the seed workflows use comfyui_controlnet_aux and
VideoHelperSuite), and its warnings about model and media files are turned off: this test server
has no models, which says nothing about the file. Missing node types stay reported. So that a
screenshot can be read, the editor draws text at every zoom (no simplified far-away drawing)
and the pictures are taken in a larger window.
"""

from __future__ import annotations

import base64
import json
import tempfile
from pathlib import Path
from typing import Any

from editor_harness import Editor, Oracle

ROOT = Path(__file__).resolve().parents[2]
PACKS = ROOT / "tests" / "data" / "reference" / "object_info-custom-packs-controlnet_aux-vhs.json"

#: Console messages that say nothing about the workflow: resources this offline test server does
#: not have (images a workflow names, the jobs API of newer servers), WebGL's own notes, and the
#: editor's notices about its own JavaScript API (LiteGraph's warnDeprecated: its code reads
#: ``input.link``; printed once per page, whatever the file), and its note that a workflow with
#: paid API nodes cannot run here (``partner_run_gate_blocked``: nobody is signed in).
IGNORED_CONSOLE = (
    "Failed to load resource",
    "GL Driver Message",
    "[Jobs API]",
    "Failed to fetch queue",
    "input.link is deprecated",
    "partner_run_gate_blocked",
)

#: Raise when what is asked of the editor here changes: older answers are then asked again.
EXPORT_RECIPE = 3
#: The window of the screenshots.
PICTURE_SIZE = {"width": 2200, "height": 1300}

_SETTINGS = """async () => {
  const pinia = document.querySelector('#vue-app').__vue_app__.config.globalProperties.$pinia;
  const settings = pinia._s.get('setting');
  await settings.set('Comfy.ErrorSystem.ShowMissingModels', false);
  await settings.set('Comfy.Workflow.ShowMissingMediaWarning', false);
  await settings.set('LiteGraph.Canvas.MinFontSizeForLOD', 0);
}"""

_OPEN = """async (wf) => {
  const pinia = document.querySelector('#vue-app').__vue_app__.config.globalProperties.$pinia;
  const store = id => pinia._s.get(id);
  const plain = value => JSON.parse(JSON.stringify(value ?? null));
  const dialogs = () => plain(store('dialog').dialogStack).map(d => String(d.key ?? d.title));
  const before = new Set(dialogs());
  await app.loadGraphData(wf, true, true, null, {openSource: 'template'});
  await new Promise(done => setTimeout(done, 400));
  const made = await app.graphToPrompt();
  const missing = plain(store('missingNodesError').missingNodesError);
  return {
    prompt: made.output,
    workflow: made.workflow,
    missing: missing ? missing.nodeTypes.map(t => t.type) : [],
    toasts: plain(store('toast').toasts).map(t => `${t.kind}: ${t.title} ${t.description ?? ''}`),
    dialogs: dialogs().filter(d => !before.has(d)),
    nodes: app.graph._nodes.map(n => ({
      id: String(n.id), type: n.type, pos: Array.from(n.pos), size: Array.from(n.size),
    })),
  };
}"""

_FRESH_SIZES = """([types, chars]) => {
  const found = {};
  for (const type of types) {
    const node = LiteGraph.createNode(type);
    if (!node) { found[type] = null; continue; }
    app.graph.add(node);
    found[type] = {size: Array.from(node.size), least: Array.from(node.computeSize()),
                   title: node.title};
    app.graph.remove(node);
  }
  const measure = LGraphCanvas._measureText;
  return {nodes: found, widths: chars.map(c => measure(c, '14px Inter'))};
}"""

_LOAD = "wf => app.loadGraphData(wf, true, true, null, {openSource: 'template'})"


class ExportEditor(Editor):
    """The editor with the node packs' definitions, judging exported workflows."""

    def _open(self) -> None:
        extra = json.loads(PACKS.read_text(encoding="utf-8"))

        def with_packs(route: Any) -> None:
            answer = route.fetch()
            merged = answer.json()
            merged.update(extra)
            route.fulfill(response=answer, body=json.dumps(merged))

        self.console: list[tuple[str, str]] = []
        self.page.on("console", lambda message: self.console.append((message.type, message.text)))
        self.page.route("**/api/object_info", with_packs)
        super()._open()
        self.page.evaluate(_SETTINGS)

    def opened(self, workflow: Any) -> Any:
        """What the editor makes of ``workflow`` (see the module's docstring)."""
        self._tick()
        before = len(self.console)
        found: dict[str, Any] = self.page.evaluate(_OPEN, workflow)
        found["console"] = [
            f"{kind}: {text}"
            for kind, text in self.console[before:]
            if kind in ("warning", "error")
        ]
        return found

    def fresh_sizes(self, classes: list[str], chars: list[str]) -> Any:
        """The size of a fresh node of each class (and the least the editor keeps on load), and
        the width of each character in the editor's title font."""
        return self.page.evaluate(_FRESH_SIZES, [classes, chars])

    def picture(self, workflow: Any) -> bytes:
        """A PNG screenshot of the canvas showing ``workflow``, fitted to the window."""
        self._tick()
        size = self.page.viewport_size
        self.page.set_viewport_size(PICTURE_SIZE)
        try:
            self.page.evaluate(_LOAD, workflow)
            self.page.wait_for_timeout(800)
            self.page.keyboard.press("Escape")
            self.page.wait_for_timeout(200)
            with tempfile.TemporaryDirectory() as folder:
                path = Path(folder) / "canvas.png"
                self.page.screenshot(path=str(path))
                return path.read_bytes()
        finally:
            if size is not None:
                self.page.set_viewport_size(size)


class ExportOracle(Oracle):
    """The editor's answers about exported workflows (cached like the other questions)."""

    @property
    def export_editor(self) -> ExportEditor:
        editor = self.editor
        assert isinstance(editor, ExportEditor), editor
        return editor

    def opened(self, workflow: Any) -> dict[str, Any]:
        """What the editor makes of ``workflow`` (ExportEditor.opened)."""
        found: dict[str, Any] = self._ask(
            f"opened-{EXPORT_RECIPE}", workflow, lambda: self.export_editor.opened(workflow)
        )
        return found

    def fresh_sizes(self, classes: list[str], chars: list[str]) -> dict[str, Any]:
        """ExportEditor.fresh_sizes, cached."""
        found: dict[str, Any] = self._ask(
            f"fresh-sizes-{EXPORT_RECIPE}",
            [classes, chars],
            lambda: self.export_editor.fresh_sizes(classes, chars),
        )
        return found

    def picture(self, workflow: Any, path: Path) -> None:
        """Write the editor's screenshot of ``workflow`` to ``path`` (a PNG)."""
        text = self._ask(
            f"picture-{EXPORT_RECIPE}",
            workflow,
            lambda: base64.b64encode(self.export_editor.picture(workflow)).decode("ascii"),
        )
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(base64.b64decode(text))


__all__ = ["ExportEditor", "ExportOracle"]
