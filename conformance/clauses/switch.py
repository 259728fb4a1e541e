"""S-clauses: the per-thread switch."""

from conformance.clauses.model import Clause

CLAUSES = (
    Clause(
        "S-1", "MUST", "default on",
        "`can_convert_to_tracable_parameter()` returns True in any thread that never entered "
        "the context.",
        "Conversion is the normal path; only Dynamo's own construction tracing turns it off.",
    ),
    Clause(
        "S-2", "MUST", "context yields False",
        "`do_not_convert_to_tracable_parameter()` yields False, and inside it the reader "
        "returns False.",
        "Callers may use the yielded value or the reader; both must agree.",
    ),
    Clause(
        "S-3", "MUST", "restores on exit",
        "On normal exit the reader returns the value it had before the context was entered.",
        "Leaving the switch off would silently disable conversion for all later code.",
    ),
    Clause(
        "S-4", "MUST", "restores on exception",
        "When the block raises, the previous value is restored and the same exception object "
        "propagates unchanged.",
        "Tracing often ends in an exception (a graph break); the switch must survive it.",
    ),
    Clause(
        "S-5", "MUST", "nests",
        "Nested contexts restore their own previous value: False after an inner exit, the "
        "original after the outer exit.",
        "Module constructors nest: a module built inside another module's `__init__`.",
    ),
    Clause(
        "S-6", "MUST", "isolated per thread",
        "Entering or leaving the context in one thread never changes what another thread reads.",
        "Dynamo may compile in several threads at once.",
    ),
    Clause(
        "S-7", "MUST", "new threads start on",
        "A thread started from inside the context reads True until it enters the context itself.",
        "The switch belongs to the thread that entered it, not to its children.",
    ),
    Clause(
        "S-8", "MUST", "dead threads leak nothing",
        "A thread that ends while still inside the context changes nothing that any other or any "
        "later thread reads.",
        "Thread pools reuse OS threads; a leak would poison unrelated work.",
    ),
    Clause(
        "S-9", "INFO", "asyncio tasks and generators",
        "What the reader returns across asyncio tasks in one thread, and after generators that "
        "hold the context exit out of order, is implementation-defined; the report records it.",
        "A `threading.local` flag is shared by every task of a thread while a `ContextVar` is "
        "not; callers that trace from async code need to know which one they have.",
    ),
    Clause(
        "S-10", "SHOULD", "abandoned contexts finalised elsewhere",
        "When a context left open by a thread that ended is finalised (its last reference "
        "dropped) in another thread, what that other thread reads does not change.",
        "The garbage collector runs an abandoned context's cleanup in whichever thread drops it; "
        "a cleanup that restores 'the current thread' turns that thread's switch back on.",
    ),
)
