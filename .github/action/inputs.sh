# shellcheck shell=bash disable=SC2034  # the variables are for the scripts that source it
# What the action's check and build steps share: the inputs, from the environment that
# action.yml sets (INPUT_SITE, INPUT_STRICT). Sourced, not run.
site=${INPUT_SITE:-.}
case ${INPUT_STRICT:-true} in
  true | True | TRUE) strict=(--strict) ;;
  false | False | FALSE) strict=() ;;
  *) echo "kbbook action: strict must be true or false, not '$INPUT_STRICT'" >&2; exit 2 ;;
esac
