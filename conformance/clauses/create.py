"""C-clauses: ``tracable_create_parameter(tensor, placeholder)``."""

from conformance.clauses.model import Clause

CLAUSES = (
    Clause(
        "C-1", "MUST", "aliases the source",
        "The output and the placeholder share the source's storage: nothing is copied.",
        "The parameter must see later in-place changes of the source, as `nn.Parameter(t)` does.",
    ),
    Clause(
        "C-2", "MUST", "takes the source's metadata",
        "Afterwards the output and the placeholder have the source's shape, storage offset, "
        "dtype, device and strides (strides of dimensions of extent 1 address nothing and may "
        "differ).",
        "The new parameter is the source tensor under a new identity, for every layout.",
    ),
    Clause(
        "C-3", "MUST", "values bit for bit",
        "The output's values equal the source's values from before the call, bit for bit (NaN "
        "payloads and signed zeros included).",
        "Numerical equality hides -0.0 versus 0.0 and NaN payloads; a take-over must not change "
        "bits.",
    ),
    Clause(
        "C-4", "MUST", "requires_grad follows the placeholder",
        "The output requires grad exactly when the placeholder does, whatever the ambient grad "
        "mode.",
        "A parameter created under `no_grad` must still train.",
    ),
    Clause(
        "C-5", "MUST", "grad mode untouched",
        "The ambient grad mode is the same after the call as before, also when the call raises.",
        "Grad mode is thread-local global state; leaking it corrupts unrelated code.",
    ),
    Clause(
        "C-6", "MUST", "mismatch raises without change",
        "A source whose dtype or device differs from the placeholder's raises, and leaves the "
        "placeholder's metadata and storage exactly as they were.",
        "A failed call must not leave a half-built parameter behind.",
    ),
    Clause(
        "C-7", "MUST", "inference mode at the call site",
        "A placeholder created outside inference mode takes over a source inside "
        "`torch.inference_mode()`, or an inference tensor outside it, without raising; the output "
        "requires grad exactly when the placeholder does, and a backward pass outside inference "
        "mode gives the gradient to the placeholder and none to the source.",
        "Serving code runs under inference mode and loads weights as inference tensors "
        "(pytorch/pytorch#161191); C-4 must hold for the strongest grad-disabling mode too.",
    ),
)
