"""The environment every tool runs notebook kernels with: quiet TensorFlow, fixed hashing, inline figures.

Shared by ``nbtools.py`` (make execute), ``slides.py`` (make slides) and ``bench.py`` (make bench) so the
three run notebooks exactly alike.
"""

from __future__ import annotations

import os

KERNEL_ENV = {
    "TF_CPP_MIN_LOG_LEVEL": "3",  # TensorFlow's C++ logs would land in stored outputs
    "TF_ENABLE_ONEDNN_OPTS": "0",  # oneDNN notices, and bit-for-bit repeatable CPU numbers
    "PYTHONHASHSEED": "0",
    "MPLBACKEND": "module://matplotlib_inline.backend_inline",  # figures inline even if the caller uses Agg
}


def kernel_env(**extra: str) -> dict[str, str]:
    """This process's environment with :data:`KERNEL_ENV` (and ``extra``) on top."""
    return {**os.environ, **KERNEL_ENV, **extra}
