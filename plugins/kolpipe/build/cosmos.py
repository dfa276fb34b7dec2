"""The dbt project as Airflow tasks, rendered by astronomer-cosmos.

Each model with its own tests (`dbt build --select <node>`) is one task, so a failing model is
visible and retryable on its own; a test over several models is a task after all of them. The
graph is read from a manifest that `kolpipe warehouse parse` writes ahead of time
(LoadMode.DBT_MANIFEST): parsing the DAG file never runs dbt. DuckDB allows one writer, so
every dbt task takes a slot of the one-slot `kol_warehouse` pool: the tasks run one at a time,
in dependency order.
"""

from __future__ import annotations

from kolpipe.core.paths import DBT_PROJECT_DIR, Paths
from kolpipe.core.paths import paths as default_paths

WAREHOUSE_POOL = "kol_warehouse"
# Marts that join the gate's verdicts carry this tag and build after the gate.
GATED_TAG = "gated"


class ManifestMissing(RuntimeError):
    pass


def task_group(group_id: str, *, select: list[str] | None = None,
               exclude: list[str] | None = None, paths: Paths | None = None):
    """A Cosmos DbtTaskGroup over the selected nodes; call inside a DAG context."""
    from pathlib import Path

    from cosmos import DbtTaskGroup, ExecutionConfig, ProfileConfig, ProjectConfig, RenderConfig
    from cosmos.constants import InvocationMode, LoadMode, TestBehavior, TestIndirectSelection

    from kolpipe.build import dbt_env, dbt_vars, manifest_path

    paths = paths or default_paths()
    manifest = manifest_path(paths)
    if not Path(manifest).exists():
        raise ManifestMissing(
            f"dbt manifest {manifest} not found: the DAG renders dbt tasks from it. "
            f"Run `kolpipe warehouse parse` (make demo does) after changing the dbt project.")
    project_config = ProjectConfig(dbt_project_path=DBT_PROJECT_DIR, manifest_path=manifest,
                                   install_dbt_deps=False, env_vars=dbt_env(paths))
    # Cosmos wraps the manifest in an ObjectStoragePath, and the first read through one starts
    # Airflow's hook-lineage collector, which loads every Airflow plugin (Cosmos's docs plugin
    # imports FastAPI): half a second of each DAG parse. The manifest is a local file, and
    # the tasks see the same path string either way.
    project_config.manifest_path = Path(manifest)
    return DbtTaskGroup(
        group_id=group_id,
        project_config=project_config,
        profile_config=ProfileConfig(profile_name="kol", target_name="dev",
                                     profiles_yml_filepath=DBT_PROJECT_DIR / "profiles.yml"),
        # A model's task runs the tests of that model only; a test over several models (a
        # singular test comparing staging with a mart) is its own task after all of them.
        execution_config=ExecutionConfig(invocation_mode=InvocationMode.DBT_RUNNER,
                                         test_indirect_selection=TestIndirectSelection.CAUTIOUS),
        render_config=RenderConfig(load_method=LoadMode.DBT_MANIFEST,
                                   test_behavior=TestBehavior.BUILD,
                                   should_detach_multiple_parents_tests=True,
                                   select=select or [], exclude=exclude or []),
        operator_args={
            "pool": WAREHOUSE_POOL,
            # Airflow renders the template per run: the logical date of the DAG run.
            "vars": dbt_vars("{{ ds }}"),
        },
    )
