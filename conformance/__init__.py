"""create-parameter-conformance: a property-based conformance suite for
``torch._dynamo.create_parameter_op`` and any implementation of its API."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("create-parameter-conformance")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0+unknown"
