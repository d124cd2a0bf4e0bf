#!/usr/bin/env bash
# The image's entrypoint (tini runs it as PID 1's child). As in the official Airflow image, an
# Airflow subcommand as the first argument runs `airflow "$@"` (the chart's containers pass
# `scheduler`, `api-server --port 8080`, ...); anything else (`bash`, `python ...`, `dbt ...`,
# `olp ...`, `airflow ...`) is executed as given. No arguments prints Airflow's help.
set -euo pipefail

# `airflow --help`'s subcommands with the providers this image installs; the image smoke test
# fails when this list and the installed Airflow disagree.
AIRFLOW_COMMANDS=(api-server assets aws-auth-manager backfill celery cheat-sheet config
  connections dag-processor dags db db-manager fab-db info jobs kerberos kubernetes partitions
  permissions-cleanup plugins pools providers roles rotate-fernet-key scheduler standalone
  state-store sync-perm tasks teams triggerer users variables version)

if (($# == 0)); then
  exec airflow --help
fi
for command in "${AIRFLOW_COMMANDS[@]}"; do
  [[ $1 == "$command" ]] && exec airflow "$@"
done
exec "$@"
