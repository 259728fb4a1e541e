"""The report: clause statuses, the verdict, and the words that show them.

:mod:`conformance.report.results` folds test outcomes into clause statuses and
writes the JSON report; :mod:`conformance.report.policy` decides from it
whether an implementation conforms; :mod:`conformance.report.rendering` prints
the verdict lines, the clause table and the failures.
"""
