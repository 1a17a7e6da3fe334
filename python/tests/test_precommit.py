"""The hooks of `.pre-commit-hooks.yaml`, run by the real `pre-commit`
(which installs this repository with pip, building the extension with the
repository's target folder) on a git repository holding a workspace:
`newsmark-check` fails on an error, then passes once it is fixed;
`newsmark-fix` applies a safe fix and fails because it changed a file."""

import os
import shutil
import subprocess

from conftest import NEWSROOM, REPO


def git(*args, cwd):
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, timeout=60)


def try_repo(cwd, env, hook="newsmark-check"):
    return subprocess.run(
        ["pre-commit", "try-repo", str(REPO), hook, "--all-files"],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=1200,
    )


def test_the_hook_fails_on_an_error_and_passes_when_fixed(tmp_path):
    project = tmp_path / "project"
    shutil.copytree(NEWSROOM, project / "newsroom")
    article = project / "newsroom" / "articles" / "bad.nmk"
    article.write_text(
        "---\ntitle: A test\npublished: 2015-11-20\n---\n\n[Someone]{@nobody} met [Mr. Xi]{@xi-jinping}.\n",
        encoding="utf-8",
    )
    git("init", "-q", cwd=project)
    git("add", ".", cwd=project)
    env = dict(
        os.environ,
        PRE_COMMIT_HOME=str(tmp_path / "pre-commit-home"),
        # Build the extension incrementally in the repository's target
        # folder, in the profile the test suite uses, not from scratch.
        CARGO_TARGET_DIR=os.environ.get("CARGO_TARGET_DIR", str(REPO / "target")),
        MATURIN_PEP517_ARGS="--profile dev",
        NO_COLOR="1",
        GIT_AUTHOR_NAME="t",
        GIT_AUTHOR_EMAIL="t@example.org",
        GIT_COMMITTER_NAME="t",
        GIT_COMMITTER_EMAIL="t@example.org",
    )
    failed = try_repo(project, env)
    assert failed.returncode == 1, failed.stdout + failed.stderr
    assert "newsmark check" in failed.stdout and "Failed" in failed.stdout
    assert "undefined-reference" in failed.stdout and "bad.nmk" in failed.stdout

    article.write_text(article.read_text(encoding="utf-8").replace("[Someone]{@nobody}", "[Mr. Obama]{@barack-obama}"))
    git("add", ".", cwd=project)
    passed = try_repo(project, env)
    assert passed.returncode == 0, passed.stdout + passed.stderr
    assert "Passed" in passed.stdout

    # The fix hook: an unknown kind with one close candidate is a safe fix.
    draft = project / "newsroom" / "articles" / "draft.nmk"
    draft.write_text("---\ntitle: A draft\npublished: 2015-11-20\n---\n\n[X]{@x} spoke.\n\n@x: persn \"X\"\n")
    git("add", ".", cwd=project)
    fixed = try_repo(project, env, "newsmark-fix")
    assert fixed.returncode == 1, fixed.stdout + fixed.stderr
    assert "files were modified by this hook" in fixed.stdout, fixed.stdout
    assert '@x: person "X"' in draft.read_text(encoding="utf-8")
    git("add", ".", cwd=project)
    again = try_repo(project, env, "newsmark-fix")
    assert again.returncode == 0, again.stdout + again.stderr
