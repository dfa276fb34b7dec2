#!/usr/bin/env bash
# One-shot setup of the compose deployment (service airflow-init). Idempotent: every
# `docker-compose up` runs it again, and rerunning it alone applies a changed .env:
#   docker-compose run --rm airflow-init
# 1. migrate the metadata database; 2. create or update the admin user;
# 3. create or overwrite the kol_* connections from KOL_CONN_* variables (secrets stay in the
#    metadata database, encrypted with the Fernet key; workers never see .env);
# 4. create the pools; 5. write the dbt manifest the DAG renders its dbt tasks from.
set -euo pipefail

echo "[init] airflow db migrate"
airflow db migrate

echo "[init] admin user ${AIRFLOW_ADMIN_USER}"
if ! airflow users create --role Admin --username "${AIRFLOW_ADMIN_USER}" \
    --password "${AIRFLOW_ADMIN_PASSWORD}" --firstname Admin --lastname KOL \
    --email "${AIRFLOW_ADMIN_EMAIL:-admin@example.org}" >/dev/null 2>&1; then
  airflow users reset-password --username "${AIRFLOW_ADMIN_USER}" \
    --password "${AIRFLOW_ADMIN_PASSWORD}" >/dev/null
  echo "[init]   existed; password set from .env"
fi

# Connection JSON is written to a private temporary file for `connections import` and removed
# at exit; it never reaches the log (only connection ids are printed).
umask 077
workdir="$(mktemp -d)"
trap 'rm -rf "${workdir}"' EXIT

python - "${workdir}" <<'PYTHON'
import json
import os
import sys
from pathlib import Path

from kolpipe import notify
from kolpipe.core.paths import PLATFORMS
from kolpipe.extract.authorized import AUTHORIZED_MODULES
from kolpipe.local_airflow import pools

workdir = Path(sys.argv[1])
wanted = ([f"kol_{p}" for p in PLATFORMS] + [f"kol_{p}_creators" for p in AUTHORIZED_MODULES]
          + list(notify.CHANNELS))
connections, missing = {}, []
for conn_id in wanted:
    variable = "KOL_CONN_" + conn_id.removeprefix("kol_").upper()
    raw = os.environ.get(variable, "").strip()
    if not raw:
        missing.append(f"{conn_id} ({variable})")
        continue
    try:
        connections[conn_id] = json.loads(raw)
    except ValueError:
        sys.exit(f"[init] {variable} is not valid JSON; see .env.example for the shape")
(workdir / "connections.json").write_text(json.dumps(connections))
# The pools of the embedded default, from the same definition.
(workdir / "pools.json").write_text(json.dumps(pools()))
print("[init] connections from .env:", ", ".join(connections) or "none")
if missing:
    print("[init] not set (tasks needing them fail with the variable to set):", ", ".join(missing))
PYTHON

airflow connections import --overwrite "${workdir}/connections.json" >/dev/null
airflow pools import "${workdir}/pools.json"

echo "[init] dbt manifest"
python -c "from kolpipe import warehouse; print('[init]  ', warehouse.parse())"
echo "[init] done"
