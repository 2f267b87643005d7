"""The ``comfydsl`` command line: one module per command, one policy for failures.

    comfydsl compile txt2img.py                 # print the API-format prompt
    comfydsl compile txt2img.py -o prompt.json  # write it
    comfydsl compile exported.json              # read a prompt, check it, write it back
    comfydsl convert workflow.json -o prompt.json   # an editor workflow to the API format
    comfydsl run txt2img.py --server http://127.0.0.1:8188 --out results/
    comfydsl catalog pull --server http://127.0.0.1:8188 -o my-server.json
    comfydsl stubs --catalog my-server.json
    comfydsl graph txt2img.py -o graph.svg      # a picture of the workflow (Graphviz)
    comfydsl import exported.json -o workflow.py  # a workflow file as a readable script
    comfydsl diff exported.json workflow.py     # the same graph, whatever the ids?

``main.py`` assembles the parser and turns every failure into ``error: ...`` and an exit status
(0 done, 1 error, 2 usage, 130 interrupted; ``diff``: 0 same, 1 different, 2 error);
``script.py`` runs a user's script (or reads a workflow file) to get its workflow;
``compile.py``, ``convert.py``, ``run.py``, ``catalog.py``, ``stubs.py``, ``graph.py``,
``importer.py`` (``import``) and ``diff.py`` are the commands. Nothing in comfydsl imports this
package.
"""

from comfydsl.cli.main import build_parser, main
from comfydsl.cli.script import load_script_workflow

__all__ = ["build_parser", "load_script_workflow", "main"]
