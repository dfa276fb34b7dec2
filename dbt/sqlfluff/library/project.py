"""The project's vars as dbt_project.yml declares them, for the `var` stub in dbt_context.sql."""

from pathlib import Path

import yaml

vars = yaml.safe_load((Path(__file__).parents[2] / "dbt_project.yml").read_text())["vars"]
