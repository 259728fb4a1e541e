"""Temporary wiring for the switch properties until the real plugin lands:
a ``cp_impl`` fixture bound to the reference implementation and the ``clause``
marker. The plugin replaces this file."""

from __future__ import annotations

import pytest

import reference_impl
from conformance.implementation import Implementation


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "clause(*ids): the contract clauses a test checks")


@pytest.fixture(scope="session")
def cp_impl() -> Implementation:
    return Implementation(
        spec="reference", origin="reference_impl", namespace=reference_impl, id="reference"
    )
