"""Seeded data for the course: every generator takes ``seed=`` and returns batch-first arrays.

No downloads: data is generated, read from a package that ships it (scikit-learn's 8x8 digits) or from
files on this machine (the Python standard library's source as a character corpus).
Modules: ``signals`` (toy signals for the I/O mappings), ``series`` (sums of sines for forecasting),
``digits`` (images as row sequences), ``corpus`` (character corpora), ``echo`` (delayed-echo task for BPTT), ``memory`` (long-lag memory tasks).
"""

from . import tokens as tokens  # digit-string token tasks (notebook 08): tokens.reverse_digits, ...
from .corpus import *  # noqa: F403
from .digits import *  # noqa: F403
from .echo import *  # noqa: F403
from .memory import *  # noqa: F403
from .series import *  # noqa: F403
from .signals import *  # noqa: F403
