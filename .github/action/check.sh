#!/usr/bin/env bash
# The action's check step: every problem of the site, one a line, before anything is built;
# with strict (the default) warnings fail the run as errors do.
#   INPUT_SITE (default .), INPUT_STRICT (true or false)
set -euo pipefail
# shellcheck source=inputs.sh
source "$(dirname "$0")/inputs.sh"
set -x
kbbook check "$site" "${strict[@]}"
