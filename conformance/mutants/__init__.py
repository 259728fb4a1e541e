"""Deliberately broken implementations: one module per bug (self-validation).

Each module is a complete implementation, loadable as the SPEC
``conformance.mutants.<name>``: it re-exports :mod:`reference_impl` and
overrides the one thing it breaks. Its docstring says which clause it breaks
and how, and its constant ``BREAKS`` names that clause ID. ``cpconf mutants``
runs the suite over all of them and demands that each is caught on the clause
it names; :mod:`conformance.catalogue` lists them.
"""
