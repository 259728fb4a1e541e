"""P-clauses: ``new_parameter_placeholder(size, dtype, device, requires_grad)``."""

from conformance.clauses.model import Clause

CLAUSES = (
    Clause(
        "P-1", "MUST", "is a Parameter",
        "The result is an instance of `torch.nn.Parameter`.",
        "Module code and optimizers recognise parameters by type.",
    ),
    Clause(
        "P-2", "MUST", "exact metadata",
        "The result has exactly the requested shape, dtype, device and `requires_grad`.",
        "The placeholder stands in for a graph input, whose metadata the graph was traced with.",
    ),
    Clause(
        "P-3", "MUST", "zero-byte storage",
        "The result's untyped storage has 0 bytes, for every shape including 0-d and zero-size.",
        "A placeholder is metadata only; allocating its data would waste memory on every call.",
    ),
    Clause(
        "P-4", "MUST", "fresh leaf",
        "The result is a leaf with `grad` None and `grad_fn` None.",
        "Gradients must accumulate into it as into any graph input.",
    ),
    Clause(
        "P-5", "MUST", "contiguous layout",
        "The result has contiguous strides for its shape and storage offset 0.",
        "Code that reads the metadata before the take-over expects the default layout.",
    ),
    Clause(
        "P-6", "MUST", "independent placeholders",
        "Two placeholders never share storage: taking over a source with one leaves the other's "
        "metadata and storage unchanged.",
        "Each call of compiled code creates its own parameter.",
    ),
    Clause(
        "P-7", "MUST", "invalid requests raise",
        "A request for an integer or bool dtype with `requires_grad=True`, or with a negative "
        "size, raises `RuntimeError`, `ValueError` or `TypeError`.",
        "A clear error at construction beats a silently wrong parameter later.",
    ),
    Clause(
        "P-8", "MUST", "pure in its arguments",
        "The result depends only on the arguments, not on the ambient grad mode or on the "
        "switch state.",
        "Compiled code calls the constructor again on every run, under whatever mode the caller "
        "is in.",
    ),
)
