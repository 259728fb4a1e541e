"""Implementations that differ from the reference but conform (self-validation).

A suite that fails any of these has a false positive. Each module states why
it is different and why it still conforms, and carries ``EXPECTED =
"conforms"``; a partial module (an older torch) carries ``EXPECTED_MISSING``,
the clauses it must report as missing API, instead.
"""
