"""The single sign-on test's OpenID provider: `oidc-provider` from npm, installed at test time
(nothing third-party is committed), running tests/sso/provider.mjs.

It is installed once per machine, not per checkout or data folder: `npm ci` takes half a minute
and a fresh CLINLEAD_DATA_DIR (a new clone, a CI run) would pay it every time. The folder, under
~/.cache/clinlead (or $XDG_CACHE_HOME/clinlead), is named after the package files' contents, so a
changed lock file installs afresh beside the old one and two checkouts never share a stale one.
"""

import fcntl
import hashlib
import json
import os
import shutil
import subprocess
import time
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
FILES = ["package.json", "package-lock.json", "provider.mjs"]


def cache_folder() -> Path:
    """Where this version of the provider is installed: keyed by its package files."""
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "clinlead"
    digest = hashlib.sha256(b"".join((HERE / name).read_bytes() for name in FILES)).hexdigest()
    return base / f"sso-provider-{digest[:16]}"


def install(target=None):
    """The folder holding the provider and its node_modules (installed once, under a lock)."""
    target = Path(target) if target is not None else cache_folder()
    target.mkdir(parents=True, exist_ok=True)
    with open(target / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        up_to_date = (target / "node_modules" / "oidc-provider").is_dir() and all(
            (target / name).is_file() and (target / name).read_bytes() == (HERE / name).read_bytes()
            for name in FILES
        )
        if not up_to_date:
            npm = shutil.which("npm")
            if npm is None:
                pytest.fail("npm is needed to install the OpenID provider (oidc-provider)")
            # Node resolves the script's imports from its own folder, so it lives beside them.
            for name in FILES:
                shutil.copyfile(HERE / name, target / name)
            done = subprocess.run(
                [npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"],
                cwd=target, capture_output=True, text=True,
            )
            assert done.returncode == 0, f"npm ci failed:\n{done.stderr[-2000:]}"
    return target


def start(folder, *, port, clinlead, client_id, client_secret, accounts, log_dir=None):
    """Run the provider; returns the process once it listens. Its log goes to `log_dir` (the
    test's own folder), else beside it."""
    config = {"port": port, "clinlead": clinlead, "client_id": client_id,
              "client_secret": client_secret, "accounts": accounts}
    log = Path(log_dir or folder) / f"provider-{port}.log"
    with open(log, "w") as output:
        process = subprocess.Popen(["node", "provider.mjs", json.dumps(config)],
                                   cwd=folder, stdout=output, stderr=subprocess.STDOUT)
    for _ in range(150):
        if "ready " in log.read_text() or process.poll() is not None:
            break
        time.sleep(0.2)
    if "ready " not in log.read_text():
        process.kill()
        pytest.fail("the OpenID provider did not start:\n" + log.read_text()[-3000:])
    return process
