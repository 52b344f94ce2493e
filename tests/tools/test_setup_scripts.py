"""The README's first command on a machine with no network once it has run, and a server on a
machine with no espeak-ng: each says what it needs in one line, never a traceback.

The network and the library are really taken away: `unshare -n` gives the process a network
namespace with nothing but its own loopback, and `unshare -m` a mount namespace in which
espeak-ng's library is /dev/null. Both need root (CI is root; the developer machines too).
"""

from __future__ import annotations

import contextlib
import glob
import json
import os
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from ..helpers import free_port
from ..strict import skip

ROOT = Path(__file__).resolve().parents[2]
VENV = Path(sys.executable).parent.parent


def _root_namespaces() -> None:
    if os.geteuid() != 0:
        skip("unshare -n/-m needs root")


def _env() -> dict[str, str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("CALLNEXT_")}
    return {**clean, "PYTHONUNBUFFERED": "1", "CALLNEXT_RATE_LIMITS": "off"}


def _until_started(proc: subprocess.Popen[str], timeout: float = 60.0) -> list[str]:
    """The lines a serve printed up to its last, the voice's (it must get there)."""
    assert proc.stdout is not None
    lines: list[str] = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            raise AssertionError("the server exited:\n" + "".join(lines))
        lines.append(line)
        if line.lstrip().startswith("voice "):
            return lines
    raise AssertionError("the server did not start:\n" + "".join(lines))


@contextlib.contextmanager
def _serving(argv: list[str], env: dict[str, str]) -> Iterator[list[str]]:
    """A server started by `argv`, up to its last start-up line; on leaving, it is stopped and
    the lines list holds everything it printed."""
    proc = subprocess.Popen(
        argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env
    )
    lines: list[str] = []
    try:
        lines += _until_started(proc)
        yield lines
    finally:
        lines.append(_stop(proc))


def _post(url: str, body: dict[str, str], token: str | None = None) -> tuple[int, dict[str, Any]]:
    request = urllib.request.Request(url, json.dumps(body).encode(), method="POST")
    request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    with urllib.request.urlopen(request, timeout=30) as resp:
        return resp.status, json.loads(resp.read())


def _stop(proc: subprocess.Popen[str]) -> str:
    proc.terminate()
    try:
        rest, _ = proc.communicate(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
        rest, _ = proc.communicate()
    return rest or ""


def test_setup_installs_nothing_again_and_needs_no_network() -> None:
    """Once .venv is installed, scripts/setup (what serve-demo runs first) asks no package
    index: in a network namespace with no route out it succeeds, and says nothing."""
    _root_namespaces()
    if not (VENV / ".installed-serve").is_file():
        skip(f"{VENV} was not installed by scripts/setup (no .installed-serve stamp)")
    result = subprocess.run(
        ["unshare", "-n", str(ROOT / "scripts" / "setup")],
        capture_output=True, text=True, timeout=60, env=_env(),
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout + result.stderr == ""


def test_serve_demo_starts_with_no_network(tmp_path: Path) -> None:
    """scripts/serve-demo, offline: setup passes, and the demo hall is served."""
    _root_namespaces()
    if not (VENV / ".installed-serve").is_file():
        skip(f"{VENV} was not installed by scripts/setup (no .installed-serve stamp)")
    port = free_port()
    command = (
        f"ip link set lo up && exec {ROOT / 'scripts' / 'serve-demo'} --port {port}"
        f" --db sqlite:///{tmp_path / 'hall.db'}"
    )
    env = {**_env(), "CALLNEXT_VOICE": "off"}
    with _serving(["unshare", "-n", "sh", "-c", command], env) as lines:
        pass
    output = "".join(lines)
    assert f"callnext listening on http://127.0.0.1:{port}" in output
    assert "/halls/demo/kiosk" in output
    assert "installing" not in output, output
    assert "Traceback" not in output, output


def _espeak_files() -> list[str]:
    found = {os.path.realpath(p) for p in glob.glob("/usr/lib/*/libespeak-ng.so.1*")}
    found |= {os.path.realpath(p) for p in glob.glob("/usr/lib/libespeak-ng.so.1*")}
    return sorted(found)


def test_a_server_without_espeak_ng_says_so_in_one_line(tmp_path: Path) -> None:
    """With espeak-ng's library unreadable (here: /dev/null mounted over it), the server starts,
    says once that espeak-ng is missing and how to install it, and logs no error or traceback;
    calls still go out, silent."""
    _root_namespaces()
    libraries = _espeak_files()
    if not libraries:
        skip("espeak-ng is not installed here: nothing to take away")
    hide = " && ".join(f"mount --bind /dev/null {lib}" for lib in libraries)
    port = free_port()
    serve = (
        f"{sys.executable} -m callnext serve --demo --demo-all-day --port {port}"
        f" --db sqlite:///{tmp_path / 'hall.db'}"
    )
    env = {**_env(), "CALLNEXT_VOICE_CACHE": str(tmp_path / "voice")}
    with _serving(["unshare", "-m", "sh", "-c", f"{hide} && exec {serve}"], env) as lines:
        voice = lines[-1]
        base = f"http://127.0.0.1:{port}"
        assert _post(f"{base}/api/v1/halls/demo/tickets", {"service": "A"})[0] == 201
        token = _post(f"{base}/api/v1/login", {"username": "w1", "password": "demo"})[1]
        status, body = _post(f"{base}/api/v1/halls/demo/windows/1/call-next", {}, token["token"])
        assert (status, body["called"]["number"]) == (200, "A001")
    output = "".join(lines)
    assert "voice: espeak-ng is not installed (apt-get install espeak-ng)" in output, output
    assert "unavailable: espeak-ng is not installed" in voice, voice
    assert "Traceback" not in output, output
    assert " ERROR " not in output, output


@pytest.mark.parametrize("hidden", [False, True])
def test_speech_missing_names_espeak_ng_only_when_it_is_gone(hidden: bool) -> None:
    """callnext.voice.renderer.speech_missing, in a process that sees the library, or does not."""
    _root_namespaces()
    libraries = _espeak_files()
    if not libraries:
        skip("espeak-ng is not installed here")
    code = "from callnext.voice.renderer import speech_missing as m; print(m())"
    check = f"{sys.executable} -c '{code}'"
    hide = " && ".join(f"mount --bind /dev/null {lib}" for lib in libraries)
    command = f"{hide} && {check}" if hidden else check
    result = subprocess.run(
        ["unshare", "-m", "sh", "-c", command], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    expected = "espeak-ng is not installed (apt-get install espeak-ng)" if hidden else "None"
    assert result.stdout.strip() == expected
