#!/usr/bin/env bash
# plan-digest.sh ENV: one sha256 over build/plan-ENV.tfplan and every file under build/dist (the package zips the
# plan's hashes refer to). The plan job publishes it with the plan; the apply job recomputes it on the downloaded
# artifact and refuses to apply anything else.
set -euo pipefail
env_name=${1:?usage: plan-digest.sh ENV}
cd "$(dirname "$0")/../../build"
for required in "plan-$env_name.tfplan" dist; do
  [[ -e "$required" ]] || { echo "plan-digest.sh: build/$required is missing" >&2; exit 1; }
done
{ printf '%s\0' "plan-$env_name.tfplan"; find dist -type f -print0 | LC_ALL=C sort -z; } \
  | xargs -0 sha256sum | sha256sum | cut -d' ' -f1
