"""A-clauses: the API surface."""

from conformance.clauses.model import Clause

CLAUSES = (
    Clause(
        "A-1", "MUST", "placeholder constructor signature",
        "`new_parameter_placeholder` is callable with the parameters `size`, `dtype`, `device`, "
        "`requires_grad`, by position and by keyword.",
        "Dynamo calls it with these four arguments on every run of compiled code.",
    ),
    Clause(
        "A-2", "MUST", "create function signature",
        "`tracable_create_parameter` is callable with the parameters `tensor`, `placeholder`, by "
        "position and by keyword.",
        "Dynamo records exactly this call as a graph node.",
    ),
    Clause(
        "A-3", "MUST", "switch context manager",
        "`do_not_convert_to_tracable_parameter` takes no required argument and returns a context "
        "manager (an object with `__enter__` and `__exit__`).",
        "Dynamo enters it with a `with` statement around user-class construction.",
    ),
    Clause(
        "A-4", "MUST", "switch reader",
        "`can_convert_to_tracable_parameter` takes no required argument and returns a `bool`.",
        "Dynamo branches on its result at trace time.",
    ),
    Clause(
        "A-5", "SHOULD", "constructor importable by name",
        "`new_parameter_placeholder` is a module-level function that can be imported again from "
        "its `__module__` and `__qualname__`.",
        "Compiled code re-resolves the constructor by module and function name on every call.",
    ),
    Clause(
        "A-6", "MAY", "autograd Function exposed",
        "Where `TracableCreateParameter` is exposed, it is a subclass of "
        "`torch.autograd.Function`.",
        "Tools that inspect graphs may look for this node type by name.",
    ),
)
