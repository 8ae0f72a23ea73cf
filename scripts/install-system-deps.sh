#!/usr/bin/env bash
# Debian packages wiredesk's tests and `make run` need: a JDK and Maven for the local Kafka broker, and
# Apertium with its APy server and the Spanish-English pair, the real translation engine the tests run;
# and promtool (Debian ships it in the prometheus package), which checks and unit-tests the alerting rules.
# `install-system-deps.sh bench` adds valgrind, whose callgrind counts parse instructions in `make bench`.
# Installs only what is missing; needs root (or sudo) only when something is missing.
set -euo pipefail
need=()
command -v java >/dev/null || need+=(openjdk-17-jre-headless)
command -v mvn >/dev/null || need+=(maven)
command -v apertium >/dev/null || need+=(apertium)
[ -e /usr/share/apertium/modes/spa-eng.mode ] || need+=(apertium-eng-spa)
[ -x /usr/bin/apertium-apy ] || need+=(apertium-apy)
command -v promtool >/dev/null || need+=(prometheus)
if [ "${1:-}" = bench ]; then command -v valgrind >/dev/null || need+=(valgrind); fi
if ((${#need[@]})); then
  sudo_cmd=""
  [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends "${need[@]}"
fi
