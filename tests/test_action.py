"""The GitHub Action (action.yml): its inputs, its steps' scripts run as the runner runs them,
and the one list of system packages it shares with .ci/setup."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

import kbbook

from shared import CONTENT, ROOT
from sitemaker import make_site, page

ACTION = yaml.safe_load((ROOT / "action.yml").read_text(encoding="utf-8"))
STEPS = ACTION["runs"]["steps"]
DEFAULTS = {"site": ".", "output": "books", "formats": "epub,pdf", "strict": "true",
            "python-version": "3.11", "extra-args": "", "artifact-name": "books"}
# Only these steps need GitHub itself; the test runs every other one.
GITHUB_ONLY = ("actions/setup-python@", "actions/upload-artifact@")
SCRIPT = re.compile(r'"\$GITHUB_ACTION_PATH/([^"]+)"')
EXPRESSION = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")
SYSTEM_PACKAGES = ROOT / ".ci" / "system-packages"

# What .ci/setup installed from its own list before the list was shared: building books
# needs the first group (nodejs and npm where the machine has no npm), the tests the second.
RUNTIME = {"libpango-1.0-0", "libpangoft2-1.0-0", "libharfbuzz-subset0", "fonts-dejavu-core",
           "fonts-noto-core", "fonts-noto-cjk", "fonts-noto-color-emoji", "python3-venv",
           "chromium"}
TEST_ONLY = {"default-jre-headless", "poppler-utils", "calibre", "jekyll",
             "ruby-jekyll-seo-tag", "ruby-jekyll-include-cache",
             "ruby-jekyll-optional-front-matter", "ruby-jekyll-readme-index",
             "ruby-jekyll-titles-from-headings", "ruby-jekyll-relative-links",
             "ruby-jekyll-default-layout", "ruby-jekyll-gist", "ruby-jekyll-paginate",
             "ruby-jekyll-sitemap", "ruby-jekyll-redirect-from", "ruby-jekyll-feed"}
NODE = {"nodejs", "npm"}


def _script(step: dict) -> str:
    (script,) = SCRIPT.findall(step["run"])
    return script


def test_the_inputs_and_their_defaults() -> None:
    inputs = ACTION["inputs"]
    assert {name: str(spec["default"]) for name, spec in inputs.items()} == DEFAULTS
    assert all(spec["description"] for spec in inputs.values())
    assert ACTION["runs"]["using"] == "composite"


def test_every_run_step_calls_a_script_of_the_repository() -> None:
    uses = [step["uses"] for step in STEPS if "uses" in step]
    assert [u.split("@")[0] + "@" for u in uses] == list(GITHUB_ONLY)
    runs = [step for step in STEPS if "run" in step]
    assert [_script(step) for step in runs] == [
        ".ci/system-packages", ".github/action/install.sh", ".github/action/check.sh",
        ".github/action/build.sh"]
    for step in runs:
        assert step["shell"] == "bash"
        assert (ROOT / _script(step)).is_file()
        # Inputs reach a script through its environment, never spliced into its text.
        assert "${{" not in step["run"]
    (setup,) = (s for s in STEPS if s.get("uses", "").startswith(GITHUB_ONLY[0]))
    assert setup["with"]["python-version"] == "${{ inputs.python-version }}"
    (upload,) = (s for s in STEPS if s.get("uses", "").startswith(GITHUB_ONLY[1]))
    assert upload["with"]["path"] == "${{ inputs.output }}"
    assert upload["with"]["name"] == "${{ inputs.artifact-name }}"


def _resolve(value: object, inputs: dict[str, str]) -> str:
    """A step's `env:` value with its `${{ inputs.NAME }}` filled in, as the runner does."""
    def one(match: re.Match[str]) -> str:
        name = match.group(1).removeprefix("inputs.")
        assert name != match.group(1) and name in inputs, f"unknown expression {match[0]}"
        return inputs[name]
    return EXPRESSION.sub(one, str(value))


def _path(env: dict[str, str]) -> str:
    """PATH for a step: each folder an earlier step added to GITHUB_PATH, the last first."""
    added = Path(env["GITHUB_PATH"]).read_text(encoding="utf-8").split()
    return os.pathsep.join([*reversed(added), env["PATH"]])


def _run_step(step: dict, inputs: dict[str, str], env: dict[str, str],
              cwd: Path) -> subprocess.CompletedProcess[str]:
    """One `run:` step as the runner runs it: its text under `bash -eo pipefail`, its `env:`
    over the job's environment, GITHUB_PATH's folders in front of PATH."""
    step_env = {**env, **{k: _resolve(v, inputs) for k, v in step.get("env", {}).items()},
                "PATH": _path(env)}
    return subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c",
                           step["run"]], env=step_env, cwd=cwd, capture_output=True,
                          text=True, timeout=300)


def _diagram_assets_here() -> bool:
    """install-diagrams does nothing (and goes to no network) when this environment has the
    versions it pins."""
    script = (ROOT / ".ci" / "install-diagrams").read_text(encoding="utf-8")
    share = Path(sys.prefix) / "share" / "kbbook"
    pinned = {"mermaid": re.search(r"MERMAID_VERSION=(\S+)", script),
              "fontawesome": re.search(r"FONTAWESOME_VERSION=(\S+)", script)}
    return all(match and (share / name / "VERSION").is_file()
               and (share / name / "VERSION").read_text().strip() == match.group(1)
               for name, match in pinned.items())


def _job_environment(tmp_path: Path) -> dict[str, str]:
    (tmp_path / "github_path").write_text("", encoding="utf-8")
    return {**os.environ, "GITHUB_ACTION_PATH": str(ROOT),
            "GITHUB_WORKSPACE": str(tmp_path / "repo"),
            "GITHUB_PATH": str(tmp_path / "github_path"), "RUNNER_TEMP": str(tmp_path),
            # The test's own environment, which imports kbbook from this checkout: the
            # install step sees it is there and installs nothing.
            "KBBOOK_PYTHON": sys.executable}


def test_the_action_builds_the_handbook(tmp_path: Path) -> None:
    if not Path(kbbook.__file__).resolve().is_relative_to(ROOT / "src"):
        pytest.skip("kbbook is not imported from this checkout: the install step would "
                    "pip install it into the test's environment")
    if not _diagram_assets_here():
        pytest.skip("the diagram assets are not in this environment's share/kbbook "
                    "(bash .ci/install-diagrams .venv/share/kbbook)")
    # An author's repository whose root is the site, read with the default inputs.
    workspace = shutil.copytree(CONTENT, tmp_path / "repo")
    env = _job_environment(tmp_path)
    ran = []
    for step in STEPS:
        if "uses" in step:
            continue  # setup-python and upload-artifact need GitHub
        script = _script(step)
        if script == ".ci/system-packages":
            continue  # apt-get needs root; its dry run is tested below
        result = _run_step(step, DEFAULTS, env, workspace)
        assert result.returncode == 0, f"{script}:\n{result.stdout}\n{result.stderr}"
        ran.append(script)
    assert ran == [".github/action/install.sh", ".github/action/check.sh",
                   ".github/action/build.sh"]
    books = workspace / DEFAULTS["output"]
    assert sorted(p.name for p in books.iterdir()) == ["The kbbook Handbook.epub",
                                                       "The kbbook Handbook.pdf"]
    assert (books / "The kbbook Handbook.epub").read_bytes()[:4] == b"PK\x03\x04"
    assert (books / "The kbbook Handbook.pdf").read_bytes()[:5] == b"%PDF-"


def _check_step(site: Path, strict: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    (step,) = (s for s in STEPS if "run" in s and _script(s).endswith("check.sh"))
    inputs = {**DEFAULTS, "site": str(site), "strict": strict}
    return _run_step(step, inputs, env, site.parent)


def test_the_check_step_fails_on_warnings_only_when_strict(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site", {
        "_config.yml": "title: T\nlang: en\n",
        "index.md": page("Home", "\n![missing](nothere.png)\n"),
    })
    env = {**_job_environment(tmp_path), "PATH": os.pathsep.join(
        [str(Path(sys.executable).parent), os.environ["PATH"]])}
    strict = _check_step(site, "true", env)
    assert strict.returncode == 1
    assert "index.md:5: warning: image 'nothere.png' not found" in strict.stdout
    assert _check_step(site, "false", env).returncode == 0
    wrong = _check_step(site, "maybe", env)
    assert wrong.returncode == 2
    assert "strict must be true or false, not 'maybe'" in wrong.stderr


def _fake_kbbook(tmp_path: Path) -> tuple[Path, Path]:
    """A `kbbook` that writes down its arguments, one a line, and does nothing else."""
    bin_dir, record = tmp_path / "bin", tmp_path / "args"
    bin_dir.mkdir()
    fake = bin_dir / "kbbook"
    fake.write_text(f'#!/bin/sh\nprintf "%s\\n" "$@" > "{record}"\n', encoding="utf-8")
    fake.chmod(0o755)
    return bin_dir, record


def test_the_build_step_passes_the_inputs_to_kbbook_build(tmp_path: Path) -> None:
    (step,) = (s for s in STEPS if "run" in s and _script(s).endswith("build.sh"))
    bin_dir, record = _fake_kbbook(tmp_path)
    env = {**_job_environment(tmp_path), "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}"}
    inputs = {**DEFAULTS, "site": "docs", "output": "out dir", "formats": " epub, pdf",
              "strict": "false", "extra-args": "--paper letter --css 'my book.css'"}
    result = _run_step(step, inputs, env, tmp_path)
    assert result.returncode == 0, result.stderr
    assert record.read_text(encoding="utf-8").splitlines() == [
        "build", "docs", "-o", "out dir", "--format", "epub,pdf", "--paper", "letter",
        "--css", "my book.css"]

    record.unlink()
    assert _run_step(step, DEFAULTS, env, tmp_path).returncode == 0
    assert record.read_text(encoding="utf-8").splitlines() == [
        "build", ".", "-o", "books", "--format", "epub,pdf", "--strict"]

    # Extra arguments are split as a shell would, never run by one.
    record.unlink()
    extra = '--css "$(touch pwned)"; touch pwned'
    result = _run_step(step, {**DEFAULTS, "extra-args": extra}, env, tmp_path)
    assert result.returncode == 0
    assert not (tmp_path / "pwned").exists()
    assert record.read_text(encoding="utf-8").splitlines()[-4:] == [
        "--css", "$(touch pwned);", "touch", "pwned"]
    record.unlink()
    unclosed = _run_step(step, {**DEFAULTS, "extra-args": "--css 'unclosed"}, env, tmp_path)
    assert unclosed.returncode == 2
    assert "extra-args: No closing quotation" in unclosed.stderr
    assert not record.exists()


def _packages(tmp_path: Path, *args: str, commands: tuple[str, ...] = ()) -> tuple[str, set]:
    """The apt-get commands .ci/system-packages would run on a fresh machine (dpkg knows no
    package; of the commands it looks for, only `commands` exist), and their packages."""
    bin_dir = tmp_path / "fresh-bin"
    bin_dir.mkdir(exist_ok=True)
    (bin_dir / "dpkg").write_text("#!/bin/sh\nexit 1\n", encoding="utf-8")
    for name in commands:
        (bin_dir / name).write_text("#!/bin/sh\n", encoding="utf-8")
    for tool in bin_dir.iterdir():
        tool.chmod(0o755)
    if not (bin_dir / "id").exists():
        (bin_dir / "id").symlink_to(shutil.which("id") or "/usr/bin/id")
    result = subprocess.run([shutil.which("bash"), str(SYSTEM_PACKAGES), *args],
                            env={"PATH": str(bin_dir)}, capture_output=True, text=True,
                            timeout=30)
    assert result.returncode == 0, result.stderr
    for name in commands:
        (bin_dir / name).unlink()
    install = [line for line in result.stdout.splitlines() if " install " in line]
    (line,) = install
    return result.stdout, set(line.split("--no-install-recommends")[1].split())


def test_the_runtime_packages_are_what_building_books_needs(tmp_path: Path) -> None:
    output, runtime = _packages(tmp_path, "--runtime", "--dry-run")
    assert "apt-get update" in output.splitlines()[0]
    assert "DEBIAN_FRONTEND=noninteractive apt-get install -y" in output
    assert runtime >= RUNTIME | NODE
    assert not runtime & TEST_ONLY
    # A machine that has a browser kbbook drives, and npm, gets neither again.
    _, with_tools = _packages(tmp_path, "--runtime", "--dry-run",
                              commands=("google-chrome", "npm"))
    assert with_tools == runtime - {"chromium"} - NODE


def test_setup_installs_the_runtime_packages_and_the_test_tools(tmp_path: Path) -> None:
    _, everything = _packages(tmp_path, "--dry-run")
    assert everything >= RUNTIME | NODE | TEST_ONLY
    _, runtime = _packages(tmp_path, "--runtime", "--dry-run")
    assert runtime <= everything
    setup = (ROOT / ".ci" / "setup").read_text(encoding="utf-8")
    assert "bash .ci/system-packages\n" in setup
    assert "apt-get" not in setup  # one list, in one place
    (step,) = (s for s in STEPS if "run" in s and _script(s) == ".ci/system-packages")
    assert step["run"].split()[-1] == "--runtime"


def test_the_package_list_prints_without_installing(tmp_path: Path) -> None:
    listed = subprocess.run(["bash", str(SYSTEM_PACKAGES), "--runtime", "--list"],
                            capture_output=True, text=True, check=True).stdout.split()
    assert set(listed) >= RUNTIME - {"chromium"}
    assert not set(listed) & TEST_ONLY
    wrong = subprocess.run(["bash", str(SYSTEM_PACKAGES), "--install-everything"],
                           capture_output=True, text=True)
    assert wrong.returncode == 2
    assert "usage:" in wrong.stderr
