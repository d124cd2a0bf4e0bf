#!/usr/bin/env bash
# Debian's chromium for the browser test (tests/e2e/test_airflow_ui.py). Idempotent: does
# nothing when /usr/bin/chromium is there. Playwright drives this browser; its own browser
# download cannot work on our machines.
set -euo pipefail
if command -v chromium >/dev/null 2>&1; then
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "chromium is missing: install it with 'sudo apt-get install -y chromium'" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends chromium fonts-liberation >/dev/null
command -v chromium
