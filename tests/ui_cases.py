"""Editor workflows made by hand, each showing one rule of the UI → API conversion.

``UIBuilder`` writes a workflow.json the way the editor saves one (schema 0.4: nodes with their
input and output sockets, positional ``widgets_values``, the links table, subgraph definitions
with their ``-10``/``-20`` nodes), taking socket types from the bundled catalog, so that a case
reads like the graph it is. ``EDITOR_CASES`` are cases whose classes all exist in stock ComfyUI
0.3.75: the real editor answers for them (tests/editor/test_edge_cases.py). ``as_version_1``
rewrites a 0.4 workflow in schema 1 (links as objects, counters in ``state``).
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

from comfydsl.catalog import Catalog, bundled_catalog
from comfydsl.editor.widgets import editor_node

CATALOG = bundled_catalog()


#: Socket types that a subgraph instance shows as a widget (a promoted widget).
WIDGET_SOCKETS = ("INT", "FLOAT", "STRING", "BOOLEAN", "COMBO")


def _socket(name: str, socket_type: str, *, promoted: bool) -> dict[str, Any]:
    found: dict[str, Any] = {"name": name, "type": socket_type, "link": None}
    if promoted and socket_type in WIDGET_SOCKETS:
        found["widget"] = {"name": name}
    return found


class Graph:
    """The nodes and links of the root graph or of one subgraph definition."""

    def __init__(self, builder: UIBuilder, subgraph: dict[str, Any] | None = None) -> None:
        self.builder = builder
        self.subgraph = subgraph
        self.nodes: list[dict[str, Any]] = []
        self.links: list[dict[str, Any]] = []

    def node(
        self,
        node_type: str,
        values: list[Any] | dict[str, Any] | None = None,
        *,
        node_id: int | None = None,
        mode: int = 0,
        title: str | None = None,
        outputs: list[tuple[str, str]] | None = None,
        inputs: list[tuple[str, str]] | None = None,
        properties: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """Add a node; its link-only sockets and outputs come from the catalog (or are given)."""
        builder = self.builder
        if node_id is None:
            node_id = builder.next_node_id()
        builder.last_node_id = max(builder.last_node_id, node_id)
        definition = builder.catalog.get(node_type)
        subgraph = builder.subgraphs.get(node_type)
        if inputs is None:
            if subgraph is not None:
                inputs = [(i["name"], i["type"]) for i in subgraph["inputs"]]
            elif definition is not None:
                inputs = [(s.name, s.type) for s in editor_node(definition).sockets if not s.widget]
            else:
                inputs = []
        if outputs is None:
            if subgraph is not None:
                outputs = [(o["name"], o["type"]) for o in subgraph["outputs"]]
            elif definition is not None:
                outputs = [(o.name, o.type) for o in definition.outputs]
            else:
                outputs = []
        node: dict[str, Any] = {
            "id": node_id,
            "type": node_type,
            "pos": [320 * (len(self.nodes) % 6), 360 * (len(self.nodes) // 6)],
            "size": [200, 100],
            "flags": {},
            "order": len(self.nodes),
            "mode": mode,
            "inputs": [_socket(n, t, promoted=subgraph is not None) for n, t in inputs],
            "outputs": [{"name": n, "type": t, "links": []} for n, t in outputs],
            "properties": dict(properties or {}),
        }
        if title is not None:
            node["title"] = title
        if values is not None:
            node["widgets_values"] = values
        self.nodes.append(node)
        return node

    def link(
        self, origin: dict[str, Any] | int, slot: int, target: dict[str, Any] | int, name: str
    ) -> int:
        """Link output ``slot`` of ``origin`` (a node, or -10: the subgraph's inputs) to the input
        ``name`` of ``target`` (a node, or -20 with ``name`` the subgraph output's name)."""
        builder = self.builder
        builder.last_link_id += 1
        link_id = builder.last_link_id
        link_type = "*"
        if isinstance(origin, dict):
            link_type = origin["outputs"][slot]["type"]
            origin["outputs"][slot]["links"].append(link_id)
            origin_id = origin["id"]
        else:
            assert self.subgraph is not None and origin == -10
            link_type = self.subgraph["inputs"][slot]["type"]
            self.subgraph["inputs"][slot]["linkIds"].append(link_id)
            origin_id = -10
        if isinstance(target, dict):
            target_slot = self._input_slot(target, name, link_type)
            target["inputs"][target_slot]["link"] = link_id
            target_id = target["id"]
        else:
            assert self.subgraph is not None and target == -20
            names = [o["name"] for o in self.subgraph["outputs"]]
            target_slot = names.index(name)
            self.subgraph["outputs"][target_slot]["linkIds"].append(link_id)
            target_id = -20
        self.links.append(
            {
                "id": link_id,
                "origin_id": origin_id,
                "origin_slot": slot,
                "target_id": target_id,
                "target_slot": target_slot,
                "type": link_type,
            }
        )
        return link_id

    def _input_slot(self, node: dict[str, Any], name: str, link_type: str) -> int:
        for index, slot in enumerate(node["inputs"]):
            if slot["name"] == name:
                return index
        # A widget's socket appears in the file once something is linked to it.
        definition = self.builder.catalog.get(node["type"])
        socket_type = link_type
        if definition is not None and name in definition.inputs:
            spec = definition.inputs[name]
            socket_type = spec.type if isinstance(spec.type, str) else "COMBO"
        node["inputs"].append(
            {"name": name, "type": socket_type, "widget": {"name": name}, "link": None}
        )
        return len(node["inputs"]) - 1


class UIBuilder(Graph):
    """A schema 0.4 editor workflow, built node by node (see the module's docstring)."""

    def __init__(self, catalog: Catalog = CATALOG) -> None:
        self.catalog = catalog
        self.last_node_id = 0
        self.last_link_id = 0
        self.subgraphs: dict[str, dict[str, Any]] = {}
        self.subgraph_graphs: dict[str, Graph] = {}
        super().__init__(self)

    def next_node_id(self) -> int:
        return self.last_node_id + 1

    def define_subgraph(
        self,
        name: str,
        inputs: list[tuple[str, str]],
        outputs: list[tuple[str, str]],
    ) -> Graph:
        """A subgraph definition (id ``sg-NAME``); add its nodes and links to the Graph returned."""
        subgraph_id = f"sg-{name}"
        definition: dict[str, Any] = {
            "id": subgraph_id,
            "version": 1,
            "state": {"lastGroupId": 0, "lastNodeId": 0, "lastLinkId": 0, "lastRerouteId": 0},
            "revision": 0,
            "config": {},
            "name": name,
            "inputNode": {"id": -10, "bounding": [0, 0, 120, 60]},
            "outputNode": {"id": -20, "bounding": [400, 0, 120, 60]},
            "inputs": [
                {"id": f"{name}-in-{i}", "name": n, "type": t, "linkIds": [], "pos": [0, 0]}
                for i, (n, t) in enumerate(inputs)
            ],
            "outputs": [
                {"id": f"{name}-out-{i}", "name": n, "type": t, "linkIds": [], "pos": [0, 0]}
                for i, (n, t) in enumerate(outputs)
            ],
            "widgets": [],
        }
        self.subgraphs[subgraph_id] = definition
        graph = Graph(self, definition)
        self.subgraph_graphs[subgraph_id] = graph
        return graph

    def build(self) -> dict[str, Any]:
        """The workflow as JSON data (a fresh copy each time)."""
        workflow: dict[str, Any] = {
            "id": "00000000-0000-4000-8000-000000000000",
            "revision": 0,
            "last_node_id": self.last_node_id,
            "last_link_id": self.last_link_id,
            "nodes": self.nodes,
            "links": [
                [
                    x["id"],
                    x["origin_id"],
                    x["origin_slot"],
                    x["target_id"],
                    x["target_slot"],
                    x["type"],
                ]
                for x in self.links
            ],
            "groups": [],
            "config": {},
            "extra": {},
            "version": 0.4,
        }
        if self.subgraphs:
            for subgraph_id, definition in self.subgraphs.items():
                graph = self.subgraph_graphs[subgraph_id]
                definition["nodes"] = graph.nodes
                definition["links"] = graph.links
            workflow["definitions"] = {"subgraphs": list(self.subgraphs.values())}
        return copy.deepcopy(workflow)


def as_version_1(workflow: dict[str, Any]) -> dict[str, Any]:
    """A schema 0.4 workflow rewritten in schema 1: links as objects, counters in ``state``."""
    found = copy.deepcopy(workflow)
    found["version"] = 1
    found["state"] = {
        "lastGroupId": 0,
        "lastNodeId": found.pop("last_node_id"),
        "lastLinkId": found.pop("last_link_id"),
        "lastRerouteId": 0,
    }
    found["links"] = [
        {
            "id": link[0],
            "origin_id": link[1],
            "origin_slot": link[2],
            "target_id": link[3],
            "target_slot": link[4],
            "type": link[5],
        }
        for link in found["links"]
    ]
    return found


# -- the cases ------------------------------------------------------------------------------------


def sampler_graph(wf: Graph, *, seed: list[Any] | None = None) -> dict[str, dict[str, Any]]:
    """Checkpoint, two prompts, an empty latent and a KSampler wired together."""
    ckpt = wf.node("CheckpointLoaderSimple", ["model.safetensors"])
    positive = wf.node("CLIPTextEncode", ["a cat"])
    negative = wf.node("CLIPTextEncode", ["blurry"])
    latent = wf.node("EmptyLatentImage", [512, 512, 1])
    sampler = wf.node("KSampler", seed or [42, "randomize", 20, 7, "euler", "normal", 1])
    wf.link(ckpt, 1, positive, "clip")
    wf.link(ckpt, 1, negative, "clip")
    wf.link(ckpt, 0, sampler, "model")
    wf.link(positive, 0, sampler, "positive")
    wf.link(negative, 0, sampler, "negative")
    wf.link(latent, 0, sampler, "latent_image")
    return {"ckpt": ckpt, "sampler": sampler, "latent": latent, "positive": positive}


def decode_and_save(wf: Graph, latent_source: dict[str, Any], vae_source: dict[str, Any]) -> None:
    decode = wf.node("VAEDecode")
    save = wf.node("SaveImage", ["ComfyUI"])
    wf.link(latent_source, 0, decode, "samples")
    wf.link(vae_source, 2, decode, "vae")
    wf.link(decode, 0, save, "images")


def case_txt2img() -> dict[str, Any]:
    wf = UIBuilder()
    parts = sampler_graph(wf)
    decode_and_save(wf, parts["sampler"], parts["ckpt"])
    return wf.build()


def case_seed_linked() -> dict[str, Any]:
    """KSampler's seed linked: it keeps the seed's key position, as a link."""
    wf = UIBuilder()
    parts = sampler_graph(wf)
    seed = wf.node("PrimitiveInt", [4096, "fixed"])
    wf.link(seed, 0, parts["sampler"], "seed")
    decode_and_save(wf, parts["sampler"], parts["ckpt"])
    return wf.build()


def case_load_image() -> dict[str, Any]:
    """LoadImage stores the upload button's value after the file name."""
    wf = UIBuilder()
    image = wf.node("LoadImage", ["cat.png", "image"])
    mask = wf.node("LoadImageMask", ["cat.png", "red", "image"])
    save = wf.node("PreviewImage")
    wf.link(image, 0, save, "images")
    preview = wf.node("MaskPreview")
    wf.link(mask, 0, preview, "mask")
    return wf.build()


def case_legacy_primitive() -> dict[str, Any]:
    """The editor's own PrimitiveNode gives its value to the widget it is linked to (muted or
    bypassed)."""
    wf = UIBuilder()
    parts = sampler_graph(wf)
    primitive = wf.node("PrimitiveNode", [768, "fixed"], outputs=[("INT", "INT")])
    wf.link(primitive, 0, parts["latent"], "width")
    muted = wf.node("PrimitiveNode", [640, "fixed"], outputs=[("INT", "INT")], mode=2)
    wf.link(muted, 0, parts["latent"], "height")
    bypassed = wf.node("PrimitiveNode", [4, "fixed"], outputs=[("INT", "INT")], mode=4)
    wf.link(bypassed, 0, parts["latent"], "batch_size")
    decode_and_save(wf, parts["sampler"], parts["ckpt"])
    return wf.build()


def case_primitive_through_reroute() -> dict[str, Any]:
    """Through a Reroute, a PrimitiveNode's value does not reach the widget."""
    wf = UIBuilder()
    parts = sampler_graph(wf)
    primitive = wf.node("PrimitiveNode", [640, "fixed"], outputs=[("INT", "INT")])
    reroute = wf.node("Reroute", inputs=[("", "*")], outputs=[("", "*")])
    wf.link(primitive, 0, reroute, "")
    wf.link(reroute, 0, parts["latent"], "height")
    decode_and_save(wf, parts["sampler"], parts["ckpt"])
    return wf.build()


def case_reroutes() -> dict[str, Any]:
    """Source -> Reroute -> Reroute -> VAEDecode; and a Reroute with nothing in front of it."""
    wf = UIBuilder()
    parts = sampler_graph(wf)
    first = wf.node("Reroute", inputs=[("", "*")], outputs=[("", "*")])
    second = wf.node("Reroute", inputs=[("", "*")], outputs=[("", "*")])
    wf.link(parts["sampler"], 0, first, "")
    wf.link(first, 0, second, "")
    empty = wf.node("Reroute", inputs=[("", "*")], outputs=[("", "*")])
    decode = wf.node("VAEDecode")
    wf.link(second, 0, decode, "samples")
    wf.link(empty, 0, decode, "vae")
    save = wf.node("SaveImage", ["ComfyUI"])
    wf.link(decode, 0, save, "images")
    return wf.build()


def case_bypassed_sampler() -> dict[str, Any]:
    """A bypassed KSampler: its LATENT consumer gets the latent that fed it."""
    wf = UIBuilder()
    parts = sampler_graph(wf)
    parts["sampler"]["mode"] = 4
    decode_and_save(wf, parts["sampler"], parts["ckpt"])
    return wf.build()


def case_bypass_chain_and_misfit() -> dict[str, Any]:
    """Bypassed nodes in a row; a bypassed node with no input of the wanted type; and a
    consumer of type ``*`` (it takes the bypassed node's input of the same slot)."""
    wf = UIBuilder()
    image = wf.node("LoadImage", ["cat.png", "image"])
    invert = wf.node("ImageInvert", mode=4)
    blur = wf.node("ImageBlur", [3, 1.0], mode=4)
    wf.link(image, 0, invert, "image")
    wf.link(invert, 0, blur, "image")
    save = wf.node("SaveImage", ["ComfyUI"])
    wf.link(blur, 0, save, "images")
    to_mask = wf.node("ImageToMask", ["red"], mode=4)
    wf.link(image, 0, to_mask, "image")
    preview_mask = wf.node("MaskPreview")
    wf.link(to_mask, 0, preview_mask, "mask")
    preview_any = wf.node("PreviewAny")
    wf.link(blur, 0, preview_any, "source")
    return wf.build()


def case_muted() -> dict[str, Any]:
    """A muted loader: a link-only input it fed is absent; a widget's input it fed loses its key."""
    wf = UIBuilder()
    parts = sampler_graph(wf)
    parts["ckpt"]["mode"] = 2
    seed = wf.node("PrimitiveInt", [7, "fixed"], mode=2)
    wf.link(seed, 0, parts["sampler"], "seed")
    decode_and_save(wf, parts["sampler"], parts["ckpt"])
    note = wf.node("Note", ["a note"])
    markdown = wf.node("MarkdownNote", ["# a note"])
    del note, markdown
    return wf.build()


def case_modes_1_and_3() -> dict[str, Any]:
    wf = UIBuilder()
    parts = sampler_graph(wf)
    parts["sampler"]["mode"] = 1
    parts["latent"]["mode"] = 3
    decode_and_save(wf, parts["sampler"], parts["ckpt"])
    return wf.build()


def case_short_and_long_values() -> dict[str, Any]:
    """Too few widget values: the rest take their defaults; too many: the surplus is ignored."""
    wf = UIBuilder()
    parts = sampler_graph(wf, seed=[42, "fixed", 20])
    parts["latent"]["widgets_values"] = [512, 512, 1, "extra", 5]
    decode_and_save(wf, parts["sampler"], parts["ckpt"])
    return wf.build()


def case_list_value() -> dict[str, Any]:
    """A widget holding a list is sent wrapped, so that it cannot read as a link; a text box
    (a multiline text) shows any value as text, and sends that."""
    wf = UIBuilder()
    values: list[Any] = [["a", "b"], ["x", 1], 5, None, {"a": [1, None]}, 2.5e-7, True]
    for index, value in enumerate(values):
        text = wf.node("PrimitiveStringMultiline", [value])
        line = wf.node("PrimitiveString", [value])
        concat = wf.node("StringConcatenate", ["", "", value if index % 2 else ", "])
        wf.link(text, 0, concat, "string_a")
        wf.link(line, 0, concat, "string_b")
        preview = wf.node("PreviewAny")
        wf.link(concat, 0, preview, "source")
    return wf.build()


def case_text_boxes() -> dict[str, Any]:
    """What reaches a text box as text: the file's value and a PrimitiveNode's; what a subgraph
    instance gives an inner text box (by its input or by proxyWidgets) goes as it is."""
    wf = UIBuilder()
    sub = wf.define_subgraph("text", [("value", "STRING")], [("STRING", "STRING")])
    fed = sub.node("PrimitiveStringMultiline", ["x"], node_id=1)
    sub.link(-10, 0, fed, "value")
    sub.link(fed, 0, -20, "STRING")
    sub.node("PrimitiveStringMultiline", ["y"], node_id=2)
    sub.node("PrimitiveStringMultiline", [3], node_id=3)
    instance = wf.node(
        "sg-text",
        [5, 9],
        node_id=5,
        properties={"proxyWidgets": [["-1", "value"], ["2", "value"]]},
    )
    preview = wf.node("PreviewAny", node_id=6)
    wf.link(instance, 0, preview, "source")
    primitive = wf.node("PrimitiveNode", [11, "fixed"], outputs=[("STRING", "STRING")], node_id=9)
    box = wf.node("PrimitiveStringMultiline", ["z"], node_id=7)
    wf.link(primitive, 0, box, "value")
    return wf.build()


def case_old_force_input_values() -> dict[str, Any]:
    """An editor before 1.16 stored a dummy value for each forceInput input: it is dropped."""
    wf = UIBuilder()
    wf.node(
        "StabilityStableImageUltraNode",
        ["a cat", "1:1", "None", 42, "fixed", "", 0.5],
    )
    return wf.build()


def case_extra_linked_input() -> dict[str, Any]:
    """A linked input the definition does not have (the file is from a newer server)."""
    wf = UIBuilder()
    image = wf.node("LoadImage", ["cat.png", "image"])
    invert = wf.node("ImageInvert", inputs=[("image", "IMAGE"), ("strength", "FLOAT")])
    number = wf.node("PrimitiveFloat", [0.5])
    wf.link(image, 0, invert, "image")
    wf.link(number, 0, invert, "strength")
    save = wf.node("SaveImage", ["ComfyUI"])
    wf.link(invert, 0, save, "images")
    return wf.build()


def _prompt_subgraph(wf: UIBuilder) -> Graph:
    """A subgraph: CLIP and a text in, CONDITIONING out, through a CLIPTextEncode."""
    sub = wf.define_subgraph(
        "encode", [("clip", "CLIP"), ("text", "STRING")], [("CONDITIONING", "CONDITIONING")]
    )
    encode = sub.node("CLIPTextEncode", ["inner text"], node_id=3)
    sub.link(-10, 0, encode, "clip")
    sub.link(-10, 1, encode, "text")
    sub.link(encode, 0, -20, "CONDITIONING")
    return sub


def case_subgraph_promoted_widget() -> dict[str, Any]:
    """A subgraph instance with its text widget promoted: the instance's value is sent."""
    wf = UIBuilder()
    _prompt_subgraph(wf)
    parts = sampler_graph(wf)
    instance = wf.node("sg-encode", ["a cat in a subgraph"], node_id=10)
    wf.link(parts["ckpt"], 1, instance, "clip")
    wf.link(instance, 0, parts["sampler"], "negative")
    decode_and_save(wf, parts["sampler"], parts["ckpt"])
    return wf.build()


def case_subgraph_id_collision() -> dict[str, Any]:
    """Inner node 3 collides with root node 3: the editor renumbers it above the last node id."""
    wf = UIBuilder()
    parts = sampler_graph(wf)
    sub = _prompt_subgraph(wf)
    assert "CLIPTextEncode" == wf.nodes[2]["type"] and 3 == wf.nodes[2]["id"]
    instance = wf.node("sg-encode", [], node_id=10)
    wf.link(parts["ckpt"], 1, instance, "clip")
    wf.link(instance, 0, parts["sampler"], "negative")
    decode_and_save(wf, parts["sampler"], parts["ckpt"])
    wf.last_node_id = 12
    del sub
    return wf.build()


def case_subgraph_modes() -> dict[str, Any]:
    """A bypassed instance in the root is routed around; a muted one sends nothing; inside a
    subgraph, a bypassed instance is opened (its inner nodes keep their own modes)."""
    wf = UIBuilder()
    inner = wf.define_subgraph("blur", [("image", "IMAGE")], [("IMAGE", "IMAGE")])
    blur = inner.node("ImageBlur", [5, 2.0], node_id=1)
    inner.link(-10, 0, blur, "image")
    inner.link(blur, 0, -20, "IMAGE")
    outer = wf.define_subgraph("twice", [("image", "IMAGE")], [("IMAGE", "IMAGE")])
    first = outer.node("sg-blur", [], node_id=1, mode=4)
    second = outer.node("sg-blur", [], node_id=2)
    outer.link(-10, 0, first, "image")
    outer.link(first, 0, second, "image")
    outer.link(second, 0, -20, "IMAGE")
    image = wf.node("LoadImage", ["cat.png", "image"], node_id=30)
    bypassed = wf.node("sg-twice", [], node_id=31, mode=4)
    muted = wf.node("sg-twice", [], node_id=32, mode=2)
    opened = wf.node("sg-twice", [], node_id=33)
    for instance in (bypassed, muted, opened):
        wf.link(image, 0, instance, "image")
        save = wf.node("SaveImage", ["ComfyUI"])
        wf.link(instance, 0, save, "images")
    return wf.build()


def case_nested_promotion(*, pass_through: bool = False) -> dict[str, Any]:
    """A widget promoted through two levels of subgraphs; with ``pass_through``, the outer
    subgraph also wires its input straight to a second output (the editor 1.58 cannot queue
    that: "No output node found"; comfydsl follows the wire)."""
    wf = UIBuilder()
    inner = wf.define_subgraph(
        "scale", [("image", "IMAGE"), ("scale_by", "FLOAT")], [("IMAGE", "IMAGE")]
    )
    scale = inner.node("ImageScaleBy", ["nearest-exact", 1.0], node_id=1)
    inner.link(-10, 0, scale, "image")
    inner.link(-10, 1, scale, "scale_by")
    inner.link(scale, 0, -20, "IMAGE")
    outputs = [("IMAGE", "IMAGE")] + ([("original", "IMAGE")] if pass_through else [])
    outer = wf.define_subgraph("outer", [("image", "IMAGE"), ("scale_by", "FLOAT")], outputs)
    nested = outer.node("sg-scale", [1.5], node_id=1)
    outer.link(-10, 0, nested, "image")
    outer.link(-10, 1, nested, "scale_by")
    outer.link(nested, 0, -20, "IMAGE")
    if pass_through:
        outer.link(-10, 0, -20, "original")
    image = wf.node("LoadImage", ["cat.png", "image"], node_id=20)
    instance = wf.node("sg-outer", [2.5], node_id=21)
    wf.link(image, 0, instance, "image")
    for slot in range(len(outputs)):
        save = wf.node("SaveImage", ["ComfyUI"])
        wf.link(instance, slot, save, "images")
    return wf.build()


def case_proxy_widgets() -> dict[str, Any]:
    """A newer instance: ``proxyWidgets`` lists what it shows, a subgraph input's widget and an
    inner node's own widget; its ``widgets_values`` follow that list."""
    wf = UIBuilder()
    sub = wf.define_subgraph(
        "sample", [("model", "MODEL"), ("steps", "INT")], [("LATENT", "LATENT")]
    )
    sampler = sub.node("KSampler", [1, "fixed", 20, 8, "euler", "normal", 1], node_id=5)
    latent = sub.node("EmptyLatentImage", [512, 512, 1], node_id=6)
    clip_text = sub.node("CLIPTextEncode", ["x"], node_id=7)
    ckpt_inner = sub.node("CheckpointLoaderSimple", ["inner.safetensors"], node_id=8)
    sub.link(-10, 0, sampler, "model")
    sub.link(-10, 1, sampler, "steps")
    sub.link(latent, 0, sampler, "latent_image")
    sub.link(ckpt_inner, 1, clip_text, "clip")
    sub.link(clip_text, 0, sampler, "positive")
    sub.link(clip_text, 0, sampler, "negative")
    sub.link(sampler, 0, -20, "LATENT")
    ckpt = wf.node("CheckpointLoaderSimple", ["model.safetensors"], node_id=1)
    instance = wf.node(
        "sg-sample",
        [33, 123456, "randomize"],
        node_id=2,
        properties={
            "proxyWidgets": [["-1", "steps"], ["5", "seed"], ["5", "control_after_generate"]]
        },
    )
    wf.link(ckpt, 0, instance, "model")
    decode_and_save(wf, instance, ckpt)
    return wf.build()


def case_version_1() -> dict[str, Any]:
    """Schema 1: links as objects, the counters in ``state``."""
    return as_version_1(case_seed_linked())


def case_string_slots() -> dict[str, Any]:
    """Slot numbers written as strings, as some editors did (the editor 1.58 then sends its
    links' output index as a string too, which the server cannot use: comfydsl sends numbers;
    tests/editor/test_edge_cases.py says so)."""
    workflow = case_txt2img()
    for link in workflow["links"]:
        link[2] = str(link[2])
        link[4] = str(link[4])
    return workflow


EDITOR_CASES: dict[str, Callable[[], dict[str, Any]]] = {
    "txt2img": case_txt2img,
    "seed_linked": case_seed_linked,
    "load_image": case_load_image,
    "legacy_primitive": case_legacy_primitive,
    "primitive_through_reroute": case_primitive_through_reroute,
    "reroutes": case_reroutes,
    "bypassed_sampler": case_bypassed_sampler,
    "bypass_chain_and_misfit": case_bypass_chain_and_misfit,
    "muted": case_muted,
    "modes_1_and_3": case_modes_1_and_3,
    "short_and_long_values": case_short_and_long_values,
    "list_value": case_list_value,
    "text_boxes": case_text_boxes,
    "old_force_input_values": case_old_force_input_values,
    "extra_linked_input": case_extra_linked_input,
    "subgraph_promoted_widget": case_subgraph_promoted_widget,
    "subgraph_id_collision": case_subgraph_id_collision,
    "subgraph_modes": case_subgraph_modes,
    "nested_promotion": case_nested_promotion,
    "proxy_widgets": case_proxy_widgets,
    "version_1": case_version_1,
    "string_slots": case_string_slots,
}
