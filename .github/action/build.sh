#!/usr/bin/env bash
# The action's build step: the books of the site, from one read of it, into the output
# folder, each named after the site's title.
#   INPUT_SITE (default .), INPUT_OUTPUT (default books), INPUT_FORMATS (default
#   epub,pdf), INPUT_STRICT (true or false), INPUT_EXTRA_ARGS (more options for
#   kbbook build)
set -euo pipefail
# shellcheck source=inputs.sh
source "$(dirname "$0")/inputs.sh"
output=${INPUT_OUTPUT:-books}
formats=${INPUT_FORMATS:-epub,pdf}
formats=${formats//[[:space:]]/}

# The extra arguments are split as a shell splits them (quotes keep "my style.css" one
# argument) but never run through one: an input may hold text from outside the workflow.
split='
import shlex, sys
try:
    sys.stdout.write("\0".join(shlex.split(sys.argv[1])))
except ValueError as exc:
    sys.exit(f"kbbook action: extra-args: {exc}")
'
mapfile -d '' -t extra < <(python3 -c "$split" "${INPUT_EXTRA_ARGS:-}")
wait $! || exit 2

set -x
kbbook build "$site" -o "$output" --format "$formats" "${strict[@]}" "${extra[@]}"
