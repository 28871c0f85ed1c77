"""Figures made ready for JSON, which has no NaN or infinity: "unknown" (null) instead."""

import math
from typing import Any

import numpy as np


def finite(value: Any) -> Any:
    """The value with every NaN or infinite number, however deeply nested, replaced by None,
    and numpy numbers made plain Python ones."""
    if isinstance(value, float | np.floating):
        return float(value) if math.isfinite(value) else None
    if isinstance(value, dict):
        return {key: finite(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [finite(item) for item in value]
    if isinstance(value, np.integer):
        return int(value)
    return value
