#!/usr/bin/env bash
# Installs Debian's chromium (for `make screenshot`: a screenshot of the audit report taken by a
# real browser, headless) unless it is already there. Needs root or sudo, and apt.
set -euo pipefail
if command -v chromium >/dev/null 2>&1; then
  exit 0
fi
sudo=""
if [ "$(id -u)" -ne 0 ]; then
  sudo="sudo"
fi
$sudo apt-get update -q
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends chromium fonts-dejavu-core
