"""The ``cpconf`` sub-commands, one module each."""
