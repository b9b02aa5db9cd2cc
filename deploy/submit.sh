#!/usr/bin/env bash
# Submits Tally to the Storm cluster named in storm.yaml, through `storm jar`.
#   deploy/submit.sh CONFIG [--name NAME] [--dry-run]
# The deployable jar is built by `mvn -DskipTests package` at cli/target/tally-cli-*-storm.jar;
# set TALLY_JAR to use another.
set -euo pipefail
if [ $# -lt 1 ]; then
  echo "usage: $0 CONFIG [--name NAME] [--dry-run] [--segments-only | --journeys-only] [--force-name]" >&2
  exit 64
fi
config=$1; shift
here=$(cd "$(dirname "$0")" && pwd)
jar=${TALLY_JAR:-$(ls "$here"/../cli/target/tally-cli-*-storm.jar 2>/dev/null | head -n 1)}
if [ -z "$jar" ] || [ ! -f "$jar" ]; then
  echo "No deployable jar found: build it with 'mvn -DskipTests package' or set TALLY_JAR." >&2
  exit 66
fi
if ! command -v storm >/dev/null 2>&1; then
  echo "The 'storm' command is not on PATH: run this on a machine with the Storm client installed." >&2
  exit 69
fi
exec storm jar "$jar" io.tally.cli.TallyCommand submit --config "$config" "$@"
