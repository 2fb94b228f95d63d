#!/usr/bin/env bash
# Installs Prometheus node_exporter (Debian package) for NodeExporterIntegrationTest; without it that test skips.
# Run as root on Debian/Ubuntu: bash nexus-telemetry/scripts/install-node-exporter.sh
set -euo pipefail
if [ -x /usr/bin/prometheus-node-exporter ]; then
  echo "prometheus-node-exporter already installed"
  exit 0
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update
apt-get install -y --no-install-recommends prometheus-node-exporter
# the package may start a system service on :9100; the test starts its own instance on a free loopback port
