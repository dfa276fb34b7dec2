"""dbt's `modules` for linting: the Python modules the macros use."""

import datetime  # noqa: F401
import re  # noqa: F401
