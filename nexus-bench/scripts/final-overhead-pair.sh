#!/bin/bash
# Final concurrent measurement (lead, session 11): sensing harness before/after + agent before/after, 10 minutes.
J=/usr/lib/jvm/temurin-25-jdk-amd64/bin/java
C1="--add-modules jdk.incubator.vector -XX:+UseSerialGC -Xss2m --enable-native-access=ALL-UNNAMED -XX:TieredStopAtLevel=1 -XX:CompileThresholdScaling=0.1 -Xms32m"
RUN="--add-modules jdk.incubator.vector -XX:+UseSerialGC -Xss2m --enable-native-access=ALL-UNNAMED -Xms32m"
# before: /tmp/h1-runs/harness (round 6's harness classes) in front of aa2f036's benchmarks.jar, and aa2f036's
# nexus.jar (/tmp/h6-before); after: this build's jars copied to /tmp/s11. Output in /tmp/s11 (*.txt, agents.jsonl):
#   python3 nexus-bench/scripts/thread_cpu.py analyze /tmp/s11/agents.jsonl 300 600
mkdir -p /tmp/s11; cd /tmp/s11; rm -rf d-before d-after
(date -u; uptime; ls /proc | grep -c '^[0-9]'; $J $C1 -cp /tmp/h1-runs/harness:/tmp/h1-before/benchmarks.jar dev.helix.nexus.bench.telemetry.SensingOverheadRun 600 0; date -u; uptime) > s-before.txt 2>&1 &
(date -u; uptime; $J $C1 -cp /tmp/s11/final-bench.jar dev.helix.nexus.bench.telemetry.SensingOverheadRun 600 0; date -u; uptime) > s-after.txt 2>&1 &
$J $RUN -jar /tmp/h6-before/nexus.jar run --duration 10m --quiet --data-dir /tmp/s11/d-before > a-before.txt 2>&1 &
PB=$!
$J $RUN -jar /tmp/s11/final-nexus.jar run --duration 10m --quiet --data-dir /tmp/s11/d-after > a-after.txt 2>&1 &
PA=$!
python3 /work/main/nexus-bench/scripts/thread_cpu.py sample agents.jsonl $PB $PA &
echo "agent pids before=$PB after=$PA" > pids.txt
wait
