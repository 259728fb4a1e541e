"""Fuzz mode: run each property run after run, with fresh seeds, until its time is up.

Under ``--cp-stop-at EPOCH`` (or ``--cp-examples N``) the plugin hands each
Hypothesis property to :func:`conformance.fuzzing.slicing.run_property`. The
jobs, one module each: :mod:`~conformance.fuzzing.options` (the plugin options
that switch fuzz mode on), :mod:`~conformance.fuzzing.slicing` (complete
Hypothesis runs, "chunks", sized to each property's share of the time left),
:mod:`~conformance.fuzzing.hypothesis_patches` (what a run changes on the
Hypothesis test and engine, and gives back: call counting, the example
database key per implementation, bounded shrinking),
:mod:`~conformance.fuzzing.counts` (examples, cases and failures per property),
:mod:`~conformance.fuzzing.progress` (running totals in ``--cp-progress-dir``
for ``cpconf fuzz``, a line per finished property) and
:mod:`~conformance.fuzzing.annotation` (the counts added to the JSON report).
"""
