"""The plugin options that switch fuzz mode on (``--cp-stop-at``, ``--cp-examples``)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest


@dataclass(frozen=True)
class FuzzOptions:
    """The plugin options that switch the runner on."""

    stop_at: float | None = None
    examples: int | None = None
    progress_dir: Path | None = None
    database: bool = False

    @classmethod
    def from_config(cls, config: pytest.Config) -> FuzzOptions:
        stop_at = config.getoption("cp_stop_at")
        examples = config.getoption("cp_examples")
        progress = config.getoption("cp_progress_dir")
        return cls(
            stop_at=float(stop_at) if stop_at is not None else None,
            examples=int(examples) if examples else None,
            progress_dir=Path(progress) if progress else None,
            database=bool(config.getoption("cp_db")) or stop_at is not None,
        )

    @property
    def active(self) -> bool:
        return self.stop_at is not None or self.examples is not None
