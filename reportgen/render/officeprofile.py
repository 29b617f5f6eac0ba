"""A LibreOffice profile prepared once per user and copied for every soffice: a new profile starts slowly.

Started on a new profile, soffice spends about twice the CPU it needs on a prepared one: it
sets the profile up (registry, extension databases) and runs its graphics back-end self-test
(GraphicsRenderTests, some 300,000 page faults) — on every start in headless mode, because only
the desktop ever records the version last started in the profile. The first PDF conversion of a
user therefore prepares a profile once, in the user's private cache folder, keyed by the
LibreOffice installation: one soffice is started and stopped on it, with this version recorded as
the last one started. Each soffice afterwards starts on its own copy, in its own temp folder; the
prepared profile itself is never opened by a running soffice, so two processes (or two users,
whose caches are apart) cannot lock or change each other's. When the cache is unusable, or
preparing fails, a soffice starts on a new profile as before, only slower.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import tempfile
import time
from contextlib import suppress
from pathlib import Path

from ..write.atomic import folder_lock
from .compiled import cache_root, private_folder
from .soffice import START_SECONDS, kill_tree, new_session_kwargs, soffice_env

FOLDER = "soffice-profile"
LAYOUT = "1"  # part of the key: bump it when what a prepared profile holds changes
STALE_SECONDS = 3600.0  # a preparation folder this old was left by a killed process
_REGISTRY = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" \
xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Setup/Product"><prop oor:name="ooSetupLastVersion" oor:op="fuse">\
<value>{version}</value></prop></item>
</oor:items>
"""

_known: dict[str, Path | None] = {}


def prepared_profile(soffice: str, fonts_conf: Path) -> Path | None:
    """The prepared profile for this LibreOffice (made now if there is none yet), or None."""
    key = _key(soffice)
    if key is None:
        return None
    if key in _known:
        found = _known[key]
        if found is None or (found / "user").is_dir():
            return found
    folder = cache_root() / FOLDER
    ready = folder / key
    found = None
    if (ready / "user").is_dir():
        found = ready
    elif private_folder(folder):
        with folder_lock(folder):  # a second process waits here and then finds it ready
            if (ready / "user").is_dir():
                found = ready
            else:
                _remove_stale(folder)
                found = ready if _prepare(soffice, fonts_conf, folder, ready) else None
    _known[key] = found
    return found


def _key(soffice: str) -> str | None:
    """Which installation: its path and its program files' times and sizes (an upgrade changes them)."""
    real = Path(os.path.realpath(soffice))
    digest = hashlib.sha256(f"{LAYOUT}\0{real}".encode("utf-8", "surrogatepass"))
    found = False
    for name in (real.name, "soffice.bin", "versionrc", "version.ini", "soffice.exe"):
        with suppress(OSError):
            info = (real.parent / name).stat()
            digest.update(f"\0{name}\0{info.st_mtime_ns}\0{info.st_size}".encode())
            found = True
    return digest.hexdigest()[:24] if found else None


def _version(soffice: str, home: Path, fonts_conf: Path) -> str | None:
    """LibreOffice's major.minor ("7.4"), as `soffice --version` prints it."""
    with subprocess.Popen([soffice, "--version"], env=soffice_env(home, fonts_conf), cwd=home,
                          stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                          **new_session_kwargs()) as proc:
        try:
            out, _ = proc.communicate(timeout=START_SECONDS)
        except subprocess.TimeoutExpired:
            return None
        finally:
            kill_tree(proc)
    found = re.search(rb"\b(\d+)\.(\d+)\.\d+", out or b"")
    return f"{int(found[1])}.{int(found[2])}" if found else None


def _prepare(soffice: str, fonts_conf: Path, folder: Path, ready: Path) -> bool:
    """Start and stop one soffice on a new profile with the version recorded; move it to `ready`."""
    work = Path(tempfile.mkdtemp(prefix=".prepare-", dir=folder))
    try:
        version = _version(soffice, work, fonts_conf)
        if version is None:
            return False
        profile = work / "profile"
        (profile / "user").mkdir(parents=True)
        registry = profile / "user" / "registrymodifications.xcu"
        registry.write_text(_REGISTRY.format(version=version), encoding="utf-8")
        command = [soffice, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--invisible",
                   "--norestore", "--nologo", "--nodefault", "--nolockcheck", "--terminate_after_init"]
        with subprocess.Popen(command, env=soffice_env(work, fonts_conf), cwd=work, stdin=subprocess.DEVNULL,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, **new_session_kwargs()) as proc:
            try:
                proc.wait(timeout=START_SECONDS)
            except subprocess.TimeoutExpired:
                return False
            finally:
                kill_tree(proc)
        # soffice rewrites the registry on exit: the version must have survived it
        if proc.returncode != 0 or f"<value>{version}</value>" not in registry.read_text("utf-8", "replace"):
            return False
        (profile / ".lock").unlink(missing_ok=True)
        profile.rename(ready)
        return True
    except OSError:
        return False
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _remove_stale(folder: Path) -> None:
    """Preparation folders a killed process left (the lock is held: nobody is using them)."""
    for entry in folder.glob(".prepare-*"):
        with suppress(OSError):
            if time.time() - entry.stat().st_mtime > STALE_SECONDS:
                shutil.rmtree(entry, ignore_errors=True)
