"""The compose deployment, validated without a container engine: `docker-compose config`
(Debian's docker-compose 1.29 runs it offline) renders docker-compose.yml with .env.example,
and the rendered services are checked for what the deployment promises."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from kolpipe.core.paths import PLATFORMS, PROJECT_ROOT, Paths

COMPOSE_FILE = PROJECT_ROOT / "docker-compose.yml"
ENV_EXAMPLE = PROJECT_ROOT / ".env.example"
INIT_SCRIPT = PROJECT_ROOT / "docker" / "airflow-init.sh"
DOCKERFILE = PROJECT_ROOT / "docker" / "Dockerfile"
AIRFLOW_SERVICES = ("airflow-init", "airflow-apiserver", "airflow-scheduler",
                    "airflow-dag-processor", "airflow-triggerer", "airflow-worker")
LONG_RUNNING = ("postgres", "redis", "airflow-apiserver", "airflow-scheduler",
                "airflow-dag-processor", "airflow-triggerer", "airflow-worker")
SECRET_NAME = re.compile(r"PASSWORD|SECRET|FERNET|TOKEN|KOL_CONN_", re.IGNORECASE)


def _compose_binary() -> str:
    binary = shutil.which("docker-compose")
    if binary is None:
        pytest.fail("docker-compose is not installed; the compose file cannot be validated. "
                    "Run `make install-system` (as root: apt-get install -y docker-compose)")
    return binary


def _config(env_file: Path, workdir: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [_compose_binary(), "--project-directory", str(PROJECT_ROOT), "-f", str(COMPOSE_FILE),
         "--env-file", str(env_file), "config"],
        cwd=workdir, capture_output=True, text=True, timeout=120)


@pytest.fixture(scope="module")
def rendered(tmp_path_factory) -> dict:
    workdir = tmp_path_factory.mktemp("compose")
    result = _config(ENV_EXAMPLE, workdir)
    assert result.returncode == 0, result.stderr
    return yaml.safe_load(result.stdout)


def test_all_airflow_components_and_their_backends_are_services(rendered):
    assert set(rendered["services"]) == {"postgres", "redis", *AIRFLOW_SERVICES}
    assert rendered["services"]["airflow-worker"]["command"] == "celery worker"


def test_every_airflow_service_runs_celery_on_postgres_and_redis(rendered):
    for name in AIRFLOW_SERVICES:
        env = rendered["services"][name]["environment"]
        assert env["AIRFLOW__CORE__EXECUTOR"] == "CeleryExecutor", name
        assert env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"].startswith("postgresql+psycopg2://")
        assert env["AIRFLOW__CELERY__BROKER_URL"].startswith("redis://")
        assert env["AIRFLOW__CELERY__BROKER_URL"].endswith("@redis:6379/0")


def test_long_running_services_have_health_checks_and_wait_for_init(rendered):
    services = rendered["services"]
    for name in LONG_RUNNING:
        assert services[name]["healthcheck"]["test"], name
    for name in AIRFLOW_SERVICES[1:]:
        depends = services[name]["depends_on"]
        assert depends["airflow-init"]["condition"] == "service_completed_successfully", name
        assert depends["postgres"]["condition"] == "service_healthy", name
        assert depends["redis"]["condition"] == "service_healthy", name
    assert services["airflow-init"]["restart"] == "no"


def test_landing_zone_warehouse_and_published_file_are_shared_volumes(rendered):
    services = rendered["services"]
    for name in AIRFLOW_SERVICES:
        home = Paths(Path(services[name]["environment"]["KOLPIPE_HOME"]))
        mounts = {entry.split(":")[1]: entry.split(":")[0] for entry in services[name]["volumes"]}
        assert mounts[str(home.home)] == "kol-home", name
        assert mounts[str(home.landing)] == "kol-landing", name
        assert mounts[str(home.warehouse.parent)] == "kol-warehouse", name
        assert mounts[str(home.published.parent)] == "kol-published", name
        registry_dir = str(Path(services[name]["environment"]["KOLPIPE_REGISTRY"]).parent)
        assert services[name]["volumes"][-1].endswith(f"{registry_dir}:ro"), name
    assert {"kol-home", "kol-landing", "kol-warehouse", "kol-published"} <= set(rendered["volumes"])


def _init_python_step(env: dict[str, str], workdir: Path) -> subprocess.CompletedProcess:
    """The init script's Python step (its here-document), run as the script runs it."""
    script = INIT_SCRIPT.read_text()
    code = script.split("<<'PYTHON'\n", 1)[1].split("\nPYTHON\n", 1)[0]
    return subprocess.run([sys.executable, "-", str(workdir)], input=code, text=True,
                          capture_output=True, env={**os.environ, **env}, timeout=120)


def test_init_creates_every_connection_and_pool_the_dag_uses(rendered, tmp_path):
    init = rendered["services"]["airflow-init"]
    assert init["command"] == ["/opt/kolpipe/docker/airflow-init.sh"]
    script = INIT_SCRIPT.read_text()
    assert "airflow db migrate" in script
    assert "airflow connections import --overwrite" in script
    assert "airflow pools import" in script
    from kolpipe import notify
    from kolpipe.extract.authorized import AUTHORIZED_MODULES

    creators = [f"kol_{p}_creators" for p in AUTHORIZED_MODULES]
    variables = {"KOL_CONN_" + conn_id.removeprefix("kol_").upper(): conn_id
                 for conn_id in [f"kol_{p}" for p in PLATFORMS] + creators
                 + list(notify.CHANNELS)}
    assert set(variables) <= set(init["environment"])
    x_connection = {"conn_type": "http", "host": "https://api.x.com", "password": "t0ken"}
    result = _init_python_step({**{v: "" for v in variables},
                                "KOL_CONN_X": json.dumps(x_connection)}, tmp_path)
    assert result.returncode == 0, result.stderr
    assert json.loads((tmp_path / "connections.json").read_text()) == {"kol_x": x_connection}
    assert "t0ken" not in result.stdout + result.stderr
    assert "kol_weibo (KOL_CONN_WEIBO)" in result.stdout  # unset ones are named, not stored
    pools = json.loads((tmp_path / "pools.json").read_text())
    dag = (PROJECT_ROOT / "dags" / "kol_daily.py").read_text()
    assert set(pools) == {f"kol_{p}_api" for p in PLATFORMS} | {"kol_warehouse"}
    assert 'pool=f"kol_{platform}_api"' in dag and 'pool="kol_warehouse"' in dag
    assert pools["kol_warehouse"]["slots"] == 1  # DuckDB has one writer

    broken = _init_python_step({"KOL_CONN_WEIBO": "{not json"}, tmp_path)
    assert broken.returncode != 0
    assert "KOL_CONN_WEIBO is not valid JSON" in broken.stderr


def test_the_compose_file_holds_no_secret_only_references_to_env(tmp_path):
    raw = yaml.safe_load(COMPOSE_FILE.read_text())
    for name, service in raw["services"].items():
        environment = service.get("environment") or {}
        for key, value in environment.items():
            if SECRET_NAME.search(key) or re.search(r"://[^@/]*:[^@/]*@", str(value)):
                assert "${" in str(value), f"{name}.{key} holds a literal secret"
                assert not re.search(r"://[^@/$]*:[^$@/]+@", str(value)), f"{name}.{key}"
    # Without an .env every secret is missing: compose refuses, naming what to set.
    empty = tmp_path / "empty.env"
    empty.write_text("")
    result = _config(empty, tmp_path)
    assert result.returncode != 0
    assert "in .env" in result.stderr


def test_secrets_stay_out_of_git_and_out_of_the_image():
    assert ".env" in (PROJECT_ROOT / ".gitignore").read_text().split()
    assert ".env" in (PROJECT_ROOT / ".dockerignore").read_text().split()
    copies = [line for line in DOCKERFILE.read_text().splitlines() if line.startswith("COPY")]
    assert copies and all(" . " not in line and ".env" not in line for line in copies)
