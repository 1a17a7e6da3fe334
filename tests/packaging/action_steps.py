#!/usr/bin/env python3
"""Runs the shell steps of the Newsmark Action (action.yml) here, as a runner would.

Usage: action_steps.py NEWSMARK_BINARY

Each step's `env`, `working-directory` and `run` are taken from action.yml, the
`${{ … }}` expressions in them evaluated (only `inputs.*`, `github.*` and
`runner.*` are known: anything else fails the test), and the script run with
`bash --noprofile --norc -eo pipefail` like GitHub's `shell: bash`, with the
files behind GITHUB_PATH and GITHUB_OUTPUT honoured between steps. The
releases are a local folder (`releases-url: file://…`) holding an archive built
by scripts/dist.sh around NEWSMARK_BINARY, which stands in for the download.
No `newsmark` is on PATH. Prints PASS/FAIL lines; exit 0 only if all passed.
"""
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[2]
ACTION = yaml.safe_load((REPO / "action.yml").read_text())
# what the Action runs on here: a Linux x64 runner (the archive the install step asks for)
RUNNER = {"os": "Linux", "arch": "X64"}
TARGET = "x86_64-unknown-linux-musl"
passed = failed = 0


def check(ok, what, detail=""):
    global passed, failed
    print(("PASS  " if ok else "FAIL  ") + "action: " + what + ("" if ok or not detail else "\n        :: " + detail.strip().replace("\n", "\n        ")))
    passed += bool(ok)
    failed += not ok
    return ok


def evaluate(text, ctx):
    """Replaces each ${{ x.y }} with its value; any other expression is an error."""

    def one(m):
        expr = m.group(1).strip()
        found = re.fullmatch(r"(inputs|github|runner)\.([A-Za-z0-9_-]+)", expr)
        if not found or found.group(2) not in ctx[found.group(1)]:
            raise ValueError(f"action.yml: expression not understood by this test: ${{{{ {expr} }}}}")
        return str(ctx[found.group(1)][found.group(2)])

    return re.sub(r"\$\{\{(.*?)\}\}", one, str(text))


def path_without_newsmark():
    dirs = os.environ["PATH"].split(os.pathsep)
    return os.pathsep.join(d for d in dirs if d and not os.path.exists(os.path.join(d, "newsmark")))


def run_action(tmp, workdir, inputs, extra_env=None):
    """Runs every step; returns (exit code of the failing step or 0, combined output, outputs)."""
    given = {name: inputs.get(name, spec.get("default", "")) for name, spec in ACTION["inputs"].items()}
    unknown = set(inputs) - set(ACTION["inputs"])
    if unknown:
        raise ValueError(f"inputs not declared in action.yml: {unknown}")
    runner_temp = Path(tempfile.mkdtemp(dir=tmp, prefix="runner-temp."))
    github_path = runner_temp / "github_path"
    ctx = {
        "inputs": given,
        "github": {"action_path": str(REPO), "action_repository": "", "action_ref": "",
                   "server_url": "https://github.com", "workspace": str(workdir)},
        "runner": {"os": RUNNER["os"], "arch": RUNNER["arch"], "temp": str(runner_temp)},
    }
    path = path_without_newsmark()
    log, outputs = "", {}
    for i, step in enumerate(ACTION["runs"]["steps"]):
        if step.get("shell") != "bash" or "run" not in step:
            raise ValueError(f"step {i} is not a bash `run` step")
        output_file = runner_temp / f"output.{i}"
        output_file.touch()
        github_path.touch()
        env = {
            "PATH": path, "HOME": str(runner_temp), "LANG": "C.UTF-8",
            "RUNNER_OS": RUNNER["os"], "RUNNER_ARCH": RUNNER["arch"], "RUNNER_TEMP": str(runner_temp),
            "GITHUB_ACTION_PATH": str(REPO), "GITHUB_SERVER_URL": "https://github.com",
            "GITHUB_PATH": str(github_path), "GITHUB_OUTPUT": str(output_file), "GITHUB_WORKSPACE": str(workdir),
            "PIP_DISABLE_PIP_VERSION_CHECK": "1",
        }
        env.update({k: evaluate(v, ctx) for k, v in (step.get("env") or {}).items()})
        env.update(extra_env or {})
        cwd = Path(workdir) / evaluate(step.get("working-directory", "."), ctx)
        script = runner_temp / f"step{i}.sh"
        script.write_text(evaluate(step["run"], ctx))
        proc = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)], cwd=cwd, env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=300)
        log += proc.stdout
        if step.get("id"):
            outputs[step["id"]] = dict(line.split("=", 1) for line in output_file.read_text().splitlines() if "=" in line)
        # the runner prepends GITHUB_PATH entries to PATH for the steps after
        added = [line for line in github_path.read_text().splitlines() if line]
        path = os.pathsep.join(list(reversed(added)) + [path_without_newsmark()])
        if proc.returncode != 0:
            return proc.returncode, log, outputs
    return 0, log, outputs


def release_dir(tmp, binary, version, corrupt=False):
    """A releases folder like GitHub's: download/vVERSION/… and latest/download/…"""
    root = Path(tempfile.mkdtemp(dir=tmp, prefix="releases."))
    built = root / "built"
    subprocess.run([str(REPO / "scripts/dist.sh"), "--target", TARGET, "--binary", binary, "--out", str(built), "--no-vsix"],
                   check=True, stdout=subprocess.DEVNULL)
    for where in (root / "download" / f"v{version}", root / "latest" / "download"):
        where.mkdir(parents=True)
        for f in built.iterdir():
            shutil.copy(f, where / f.name)
        if corrupt:
            archive = where / f"newsmark-{TARGET}.tar.gz"
            (where / f"{archive.name}.sha256").write_text(hashlib.sha256(b"something else").hexdigest() + f"  {archive.name}\n")
    return root.as_uri()


def standin_wheel(tmp, binary, version):
    """A wheel named newsmark whose `newsmark` command runs NEWSMARK_BINARY: stands in for
    the real one on the package index, to test the pip fallback offline."""
    import base64
    import zipfile

    folder = Path(tempfile.mkdtemp(dir=tmp, prefix="wheels."))
    info = f"newsmark-{version}.dist-info"
    files = {
        "newsmark_standin.py": f"import os, sys\ndef main():\n    os.execv({binary!r}, [{binary!r}] + sys.argv[1:])\n",
        f"{info}/METADATA": f"Metadata-Version: 2.1\nName: newsmark\nVersion: {version}\n",
        f"{info}/WHEEL": "Wheel-Version: 1.0\nGenerator: action_steps.py\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
        f"{info}/entry_points.txt": "[console_scripts]\nnewsmark = newsmark_standin:main\n",
    }
    record = []
    for name, text in files.items():
        digest = base64.urlsafe_b64encode(hashlib.sha256(text.encode()).digest()).rstrip(b"=").decode()
        record.append(f"{name},sha256={digest},{len(text.encode())}")
    files[f"{info}/RECORD"] = "\n".join(record + [f"{info}/RECORD,,"]) + "\n"
    with zipfile.ZipFile(folder / f"newsmark-{version}-py3-none-any.whl", "w") as z:
        for name, text in files.items():
            z.writestr(name, text)
    return folder


def workspace(tmp, broken):
    ws = Path(tempfile.mkdtemp(dir=tmp, prefix="ws."))
    shutil.copytree(REPO / "examples/newsroom", ws, dirs_exist_ok=True)
    if broken:
        article = next((ws / "articles").glob("*.nmk"))
        article.write_text(article.read_text().replace("{@alejandro-mayorkas}", "{@alejandro-mayorkes}", 1))
    return ws


def main():
    binary = sys.argv[1]
    version = subprocess.run([binary, "--version"], capture_output=True, text=True, check=True).stdout.split()[-1]
    with tempfile.TemporaryDirectory(prefix="newsmark-action.") as tmp:
        releases = release_dir(tmp, binary, version)
        clean, broken = workspace(tmp, False), workspace(tmp, True)

        started = time.monotonic()
        rc, log, out = run_action(tmp, clean, {"releases-url": releases})
        print(f"# action: install from the release folder and check of examples/newsroom in {time.monotonic() - started:.1f} s")
        check(rc == 0 and f"installed newsmark {version}" in log, "latest release installed; a clean workspace passes", log)
        check(out.get("install", {}).get("version") == version, f"output version is {version}", json.dumps(out))

        rc, log, _ = run_action(tmp, broken, {"releases-url": releases, "version": version})
        check(rc == 1, f"version {version}: a workspace with an error fails the step (exit {rc})", log)
        check(re.search(r"^::error file=[^,]*articles/[^,]+\.nmk,line=\d+", log, re.M) is not None
              and "alejandro-mayorkes" in log, "the default format annotates the pull request (::error file=…)", log)

        rc, log, _ = run_action(tmp, broken, {"releases-url": releases, "version": f"v{version}", "format": "sarif",
                                              "output": "newsmark.sarif", "args": "articles --max-warnings 1000"})
        sarif_file = broken / "newsmark.sarif"
        sarif = json.loads(sarif_file.read_text()) if sarif_file.exists() else {}
        results = [r for run in sarif.get("runs", []) for r in run.get("results", [])]
        check(rc == 1 and sarif.get("version") == "2.1.0" and any("alejandro-mayorkes" in json.dumps(r) for r in results),
              "format sarif with output: a SARIF 2.1.0 file naming the error, and the step fails", log + json.dumps(sarif)[:300])

        rc, log, _ = run_action(tmp, clean, {"releases-url": release_dir(tmp, binary, version, corrupt=True)})
        check(rc != 0 and "checksum mismatch" in log, "an archive that does not match its .sha256 is refused", log)

        rc, log, _ = run_action(tmp, clean, {"releases-url": releases, "version": "99.0.0"},
                                {"PIP_NO_INDEX": "1", "PIP_FIND_LINKS": tmp})
        check(rc != 0 and "falling back to the Python package" in log and "pip install newsmark" in log,
              "a version without a release falls back to pip, and fails when pip cannot install it", log)

        empty = Path(tempfile.mkdtemp(dir=tmp, prefix="no-releases."))
        wheels = standin_wheel(tmp, binary, version)
        rc, log, out = run_action(tmp, broken, {"releases-url": empty.as_uri(), "version": version},
                                  {"PIP_NO_INDEX": "1", "PIP_FIND_LINKS": str(wheels)})
        check(rc == 1 and f"pip install newsmark=={version}" in log and "alejandro-mayorkes" in log
              and out.get("install", {}).get("version") == version,
              "no release archive: pip installs newsmark into a venv on PATH, and the check runs", log)

        mislabelled = Path(tmp) / "mislabelled"
        shutil.copytree(Path(releases.removeprefix("file://")) / "download" / f"v{version}", mislabelled / "download" / "v99.0.0")
        rc, log, _ = run_action(tmp, clean, {"releases-url": mislabelled.as_uri(), "version": "99.0.0"})
        check(rc != 0 and f"asked for Newsmark 99.0.0, got newsmark {version}" in log,
              "a release whose binary has another version is refused", log)

        script = Path(tmp) / "check-step.sh"
        script.write_text(evaluate(ACTION["runs"]["steps"][1]["run"], {"inputs": {}, "github": {}, "runner": {}}))
        sc = subprocess.run(["shellcheck", "-s", "bash", str(script)], capture_output=True, text=True)
        check(sc.returncode == 0, "shellcheck: the check step's script", sc.stdout + sc.stderr)
    print(f"action: {passed} passed, {failed} failed")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
