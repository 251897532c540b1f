#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""A Windows Subsystem for Linux as far as bkt-auth can tell: WSL_DISTRO_NAME
set, no display, and stand-ins for the programs that open the Windows browser
(tests/fake_windows.py) in a directory put first on PATH."""

import json
import os
import shlex
import shutil
import subprocess
import sys

import harness

FAKE_WINDOWS = os.path.join(harness.TESTS_DIR, "fake_windows.py")
PROGRAMS = ("wslview", "cmd.exe", "powershell.exe")


def stand_ins(directory, programs):
    """Wrappers named after programs in directory, each running fake_windows.py."""
    os.makedirs(directory, exist_ok=True)
    for name in programs:
        path = os.path.join(directory, name)
        with open(path, "w") as f:
            f.write("#!/bin/sh\nexec %s %s %s \"$@\"\n"
                    % (shlex.quote(sys.executable), shlex.quote(FAKE_WINDOWS), shlex.quote(name)))
        os.chmod(path, 0o755)
    return directory


def wsl_env(bin_dir, log):
    """The environment of a WSL shell without a display, the stand-ins first on PATH."""
    return {"WSL_DISTRO_NAME": "Ubuntu", "WSL_INTEROP": None, "BROWSER": None,
            "DISPLAY": None, "WAYLAND_DISPLAY": None,
            "PATH": bin_dir + os.pathsep + os.environ.get("PATH", ""),
            "FAKE_WINDOWS_LOG": log}


def read_log(log):
    try:
        with open(log, encoding="utf-8") as f:
            return [json.loads(l) for l in f if l.strip()]
    except FileNotFoundError:
        return []


def other_user_python():
    """argv running python3 as user nobody, or None when the tests cannot (not root, no
    setpriv, no python3 nobody may run)."""
    setpriv = shutil.which("setpriv")
    if os.geteuid() != 0 or setpriv is None:
        return None
    for python in ("/usr/bin/python3", shutil.which("python3")):
        if not python:
            continue
        argv = [setpriv, "--reuid=nobody", "--regid=nogroup", "--clear-groups", python]
        try:
            cp = subprocess.run(argv + ["-c", "import socket, threading"],
                                env={"PATH": "/usr/bin:/bin"}, stdin=subprocess.DEVNULL,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                timeout=harness.COMMAND_TIMEOUT)
        except (OSError, subprocess.TimeoutExpired):
            continue
        if cp.returncode == 0:
            return argv
    return None
