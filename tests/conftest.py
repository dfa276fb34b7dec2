"""Test settings: everything the tests write goes under a temporary KOLPIPE_HOME and
AIRFLOW_HOME, set before Airflow is imported anywhere."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

_ROOT = Path(tempfile.mkdtemp(prefix="kolpipe-tests-"))
os.environ["AIRFLOW_HOME"] = str(_ROOT / "airflow")
os.environ["AIRFLOW__CORE__LOAD_EXAMPLES"] = "False"
os.environ["AIRFLOW__CORE__DAGS_FOLDER"] = str(Path(__file__).parents[1] / "dags")
os.environ["KOLPIPE_HOME"] = str(_ROOT / "home")
os.environ["KOLPIPE_TASK_RETRIES"] = "0"
os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")
os.environ["AIRFLOW__COSMOS__ENABLE_TELEMETRY"] = "False"
