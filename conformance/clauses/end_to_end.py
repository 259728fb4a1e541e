"""E-clauses: the implementation inside ``torch.compile``, called by Dynamo as torch calls it.

Each E property swaps the implementation in where Dynamo reads torch's own
(:mod:`conformance.swap_in`) and compares compiled code with eager code. Eager
``nn.Parameter(t)`` calls no implementation, so eager is the oracle.
"""

from conformance.clauses.model import Clause

CLAUSES = (
    Clause(
        "E-1", "MUST", "compiled equals eager",
        "`torch.compile(fn, backend=\"aot_eager\", fullgraph=True)` of a function that builds "
        "`nn.Parameter(t)` from an intermediate tensor `t` (and uses it, returns it, or both) "
        "returns bit for bit the outputs of eager `fn`, a parameter of the same type, shape, "
        "dtype, device and `requires_grad`, and after backward bit for bit the same `.grad`.",
        "Dynamo records `tracable_create_parameter(data, placeholder)` and AOTAutograd traces it "
        "under fake tensors and functionalization; an implementation that only works eagerly "
        "breaks every compiled model that builds a parameter.",
    ),
    Clause(
        "E-2", "MUST", "fresh parameter per call",
        "A second call of compiled code with the same shapes reuses the compiled code and "
        "returns a new parameter that shares neither storage nor gradient with the first; with "
        "automatic dynamic shapes off, a call with new shapes recompiles and still equals eager.",
        "The placeholder constructor runs again on every call of compiled code; parameters of "
        "two calls that share memory corrupt each other's training.",
    ),
    Clause(
        "E-3", "MUST", "grad modes at the call site",
        "A compiled call under `torch.no_grad()` or `torch.inference_mode()` returns a parameter "
        "that requires grad, as eager does, and one created under `no_grad` trains: its `.grad` "
        "after backward equals eager's.",
        "Parameters are often built under `no_grad` (initialisation code); the take-over must "
        "force grad mode to the placeholder's, also inside compiled code (pytorch#161191).",
    ),
    Clause(
        "E-4", "MUST", "in-place use of a fresh parameter",
        "Mutating the fresh parameter inside the compiled function (in place under `no_grad`, "
        "with `add_` and `zero_`) gives the same parameter and the same aliasing intermediate "
        "as eager.",
        "In-place updates of a just-built parameter silently gave wrong results in compiled "
        "code (pytorch#125284, pytorch#126960).",
    ),
    Clause(
        "E-5", "MUST", "the switch in its real caller",
        "Constructing an `nn.Module` inside a compiled function makes Dynamo read the switch as "
        "off (a graph break there) with results equal to eager, and the switch reads True "
        "afterwards; two threads compiling at once, one inside "
        "`do_not_convert_to_tracable_parameter()`, do not see each other's switch.",
        "Dynamo enters the switch while tracing module construction (pytorch#127697, "
        "pytorch#128556); a switch that Dynamo cannot turn off, or that leaks between "
        "compiling threads, makes compiled module construction wrong.",
    ),
    Clause(
        "E-6", "MUST", "in-graph gradients",
        "`torch.autograd.grad(loss, [w])` inside the compiled function, for a parameter `w` "
        "built there, returns bit for bit eager's gradient.",
        "Training steps compiled whole take gradients inside the graph (pytorch#169415); the "
        "take-over's backward is traced into the forward graph there.",
    ),
    Clause(
        "E-7", "SHOULD", "safe as shipped",
        "Swapped in exactly as shipped (not made opaque by the suite), the implementation "
        "works under `torch.compile` without `fullgraph`: compiled code equals eager and no "
        "`RecursionError` occurs.",
        "Compiled code calls the placeholder constructor by module and name; Dynamo skips files "
        "inside torch, but compiles a constructor living anywhere else and recurses into it. "
        "Wrapping the module attribute with `torch.compiler.disable` makes it safe.",
    ),
    Clause(
        "E-8", "MAY", "backend inductor",
        "`torch.compile(fn, backend=\"inductor\", fullgraph=True)` of the E-1 functions, with "
        "a contiguous intermediate of a dtype of 32 bits a component or more, returns bit for "
        "bit eager's outputs, a parameter of the same "
        "type and metadata, and after backward bit for bit the same `.grad`. Checked only by the "
        "`nightly` profile (inductor compiles C++: about 15 s cold, 1 s per example); "
        "not applicable elsewhere.",
        "Inductor is `torch.compile`'s default backend: it lowers the traced take-over to "
        "generated kernels (left out, as they fail whichever implementation is swapped in: "
        "non-contiguous intermediates, whose strides torch 2.13's inductor rejects, and "
        "float16/bfloat16, which inductor computes in float32 with other rounding than eager).",
    ),
)
