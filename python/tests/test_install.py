"""The wheel installed into a fresh virtual environment (no other package)
puts a working `newsmark` command on its PATH: `check` and the language
server over stdio. The wheel is the one `scripts/test-python.sh` built
(NEWSMARK_WHEEL)."""

import json
import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

import pytest

from conftest import NEWSROOM


@pytest.fixture(scope="module")
def fresh_bin(tmp_path_factory) -> Path:
    wheel = os.environ.get("NEWSMARK_WHEEL")
    assert wheel and Path(wheel).is_file(), "set NEWSMARK_WHEEL to the built wheel (scripts/test-python.sh does)"
    env_dir = tmp_path_factory.mktemp("fresh") / "venv"
    venv.create(env_dir, with_pip=True, system_site_packages=False)
    bin_dir = env_dir / "bin"
    subprocess.run(
        [str(bin_dir / "python"), "-m", "pip", "install", "--quiet", "--no-index", "--no-deps", wheel],
        check=True,
        timeout=300,
    )
    return bin_dir


def fresh_env(bin_dir: Path) -> dict:
    """PATH with the environment's bin first and no other `newsmark`."""
    others = [p for p in os.environ.get("PATH", "").split(os.pathsep) if p and not (Path(p) / "newsmark").exists()]
    return dict(os.environ, PATH=os.pathsep.join([str(bin_dir), *others]), NO_COLOR="1")


def test_newsmark_is_on_the_path_of_a_fresh_venv(fresh_bin):
    env = fresh_env(fresh_bin)
    assert shutil.which("newsmark", path=env["PATH"]) == str(fresh_bin / "newsmark")
    run = subprocess.run(["newsmark", "--version"], env=env, capture_output=True, text=True, timeout=60)
    assert run.returncode == 0 and run.stdout.startswith("newsmark "), run.stderr


def test_check_from_the_fresh_venv(fresh_bin, tmp_path):
    env = fresh_env(fresh_bin)
    root = tmp_path / "newsroom"
    shutil.copytree(NEWSROOM, root)
    ok = subprocess.run(["newsmark", "check"], cwd=root, env=env, capture_output=True, text=True, timeout=120)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "no problems" in ok.stdout
    (root / "articles" / "bad.nmk").write_text("[Someone]{@nobody} said so.\n", encoding="utf-8")
    bad = subprocess.run(
        ["newsmark", "check", "--format", "json"], cwd=root, env=env, capture_output=True, text=True, timeout=120
    )
    assert bad.returncode == 1
    errors = [json.loads(line) for line in bad.stdout.splitlines()]
    errors = [(e["file"], e["code"]) for e in errors if e["severity"] == "error"]
    assert errors == [("articles/bad.nmk", "undefined-reference")]
    usage = subprocess.run(["newsmark", "check", "no-such-path"], cwd=root, env=env, capture_output=True, timeout=60)
    assert usage.returncode == 2


def _send(stdin, message: dict) -> None:
    body = json.dumps(message).encode("utf-8")
    stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
    stdin.flush()


def _receive(stdout) -> dict:
    length = None
    while True:
        line = stdout.readline()
        assert line, "the server closed its output"
        if line in (b"\r\n", b"\n"):
            break
        name, _, value = line.decode("ascii").partition(":")
        if name.lower() == "content-length":
            length = int(value)
    assert length is not None
    return json.loads(stdout.read(length))


def _response(stdout, id_: int) -> dict:
    while True:
        message = _receive(stdout)
        if message.get("id") == id_ and "method" not in message:
            return message


def test_language_server_from_the_fresh_venv(fresh_bin, tmp_path):
    root = tmp_path / "newsroom"
    shutil.copytree(NEWSROOM, root)
    server = subprocess.Popen(
        ["newsmark", "lsp", "--stdio"],
        cwd=root,
        env=fresh_env(fresh_bin),
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        _send(server.stdin, {"jsonrpc": "2.0", "id": 1, "method": "initialize",
                             "params": {"processId": os.getpid(), "rootUri": root.as_uri(), "capabilities": {}}})
        init = _response(server.stdout, 1)
        capabilities = init["result"]["capabilities"]
        assert capabilities["hoverProvider"] and capabilities["definitionProvider"]
        assert init["result"]["serverInfo"]["name"] == "newsmark"
        _send(server.stdin, {"jsonrpc": "2.0", "method": "initialized", "params": {}})
        _send(server.stdin, {"jsonrpc": "2.0", "id": 2, "method": "shutdown", "params": None})
        assert _response(server.stdout, 2)["result"] is None
        _send(server.stdin, {"jsonrpc": "2.0", "method": "exit", "params": None})
        assert server.wait(timeout=60) == 0, server.stderr.read().decode()
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()
