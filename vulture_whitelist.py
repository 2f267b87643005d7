"""Names that vulture (the dead-code step of scripts/test.sh) cannot see used, and why each is.

vulture reads comfydsl/ alone: it does not see users calling the public API, Python or a
library reading an attribute, or the jinja template reading a dataclass field. Names match by
name only, so keep this list short: a name here hides every unused name spelt the same.
"""

# ruff: noqa

# Python protocols: module __getattr__ (lazy names), a callable class's introspection, and the
# list/dict methods that FrozenList, FrozenDict and Output make read-only.
__getattr__
_.__qualname__
_.__doc__
# A node class is a function: Python reads its __module__ (repr, help, pickle), and isinstance
# asks NodeClass's metaclass.
_.__module__
__instancecheck__
# Python reads a node's __class__, given its type per definition by make_node.
_.__class__
_.remove
_.reverse
_.sort
_.popitem

# A parameter of the WebSocketFactory protocol: websocket-client's create_connection takes it.
suppress_origin

# A parameter of argparse.Action.__call__, which argparse passes to the --server action.
option_string

# jinja2 reads these of the templates' sandbox: the operators it lets the sandbox check, and
# the Template class it makes templates of.
_.intercepted_binops
_.template_class

# requests reads Session.trust_env.
_.trust_env

# Fields of StubClass, StubOutput, OutputClass and LinkProtocol, read by
# codegen/templates/node_stubs.pyi.jinja.
_.callable_class
_.doc
_.summary
_.node_doc
_.has_outputs
_.outputs_doc
_.unpack_doc
_.iter_type
_.marker
_.accepts

# Fields of codegen.script.Statement, read by codegen/templates/workflow_script.py.jinja.
_.comments
_.blank_before
_.layout
_.pad
_.comma
# Jupyter's display protocol: IPython calls these (with include and exclude) to show a Workflow
# as its picture and a JobResult's files inline.
_._repr_mimebundle_
include
exclude
_._repr_html_

# Public API, for users (README, docstrings); the tests call them, comfydsl itself does not.
_.to_json  # Workflow
_.is_default  # Workflow
_.input  # NodeDef
_.combo_form  # InputSpec
_.to_object_info  # Catalog
_.succeeded  # the follow state of a job
_.queue  # Client, and the server operations below
_.history
_.delete_history
_.clear_history
_.clear_queue
_.free
_.system_stats
_.files_of  # JobResult
_.images  # JobResult
_.to_pil  # Preview
# Public, but nothing in the project (tests included) uses them yet.
_.view_params  # OutputFile: the GET /view query; Client.view builds its own
_.as_dict  # NodeError: shaped like the server's node_errors
