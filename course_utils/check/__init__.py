"""Instant-feedback checks for the exercises at the end of each lecture notebook.

Call them as ``check.exercise_01_1(your_function)``: each prints what is right or what is wrong and returns
a :class:`~course_utils.check._feedback.Feedback` (truthy when passed). Solutions are never printed.
One module per notebook (``nb01`` ... ``nb07``).
"""

from ._feedback import Feedback as Feedback
from .nb01 import *  # noqa: F403
from .nb02 import *  # noqa: F403
from .nb03 import *  # noqa: F403
from .nb04 import *  # noqa: F403
from .nb05 import *  # noqa: F403
from .nb06 import *  # noqa: F403
from .nb07 import *  # noqa: F403
