#!/usr/bin/env bash
# Installs the OS tools the live behaviour-pattern tests drive (nexus-agent LiveBehaviorTest): stress-ng (Debian
# package) for CPU, I/O, interrupt and memory load. Without it those tests skip with a message. The other workloads of
# that test need only python3 and a JDK, and root for its cgroups.
# Run as root on Debian/Ubuntu: bash scripts/install-test-tools.sh
set -euo pipefail
if command -v stress-ng >/dev/null 2>&1; then
  echo "stress-ng already installed: $(stress-ng --version)"
  exit 0
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update
apt-get install -y --no-install-recommends stress-ng
stress-ng --version
