#!/usr/bin/env bash
# The action's install step: kbbook from the action's own checkout (GITHUB_ACTION_PATH)
# into a virtual environment of its own, the Mermaid bundle and the Font Awesome data into
# its share/kbbook (where kbbook looks for them), and its bin folder on GITHUB_PATH for the
# steps after this one.
#   KBBOOK_PYTHON  use this Python's environment instead of making one
#   KBBOOK_VENV    where to make it (default: $RUNNER_TEMP/kbbook-venv)
set -euo pipefail
here=$(cd "${GITHUB_ACTION_PATH:?the folder of the action}" && pwd -P)
python=${KBBOOK_PYTHON:-}
if [ -z "$python" ]; then
  venv=${KBBOOK_VENV:-${RUNNER_TEMP:-/tmp}/kbbook-venv}
  [ -x "$venv/bin/python" ] || python3 -m venv "$venv"
  python=$venv/bin/python
fi

# An environment that already imports kbbook from this checkout (an editable install, as
# .ci/setup makes) has it; anything else gets it installed.
origin=$("$python" -c 'import os, kbbook; print(os.path.realpath(kbbook.__file__))' \
  2>/dev/null || true)
if [[ $origin == "$here/src/kbbook/"* ]]; then
  echo "kbbook: installed from $here already"
else
  "$python" -m pip install --quiet --disable-pip-version-check "$here"
fi

prefix=$("$python" -c 'import sys; print(sys.prefix)')
bash "$here/.ci/install-diagrams" "$prefix/share/kbbook"

bin=$("$python" -c 'import sysconfig; print(sysconfig.get_path("scripts"))')
[ -z "${GITHUB_PATH:-}" ] || echo "$bin" >>"$GITHUB_PATH"
"$bin/kbbook" --version
