"""Run by LibreOffice's own Python: starts soffice, then converts DOCX to PDF in it, one request a line.

This file is a standalone script, not part of the package at run time: it runs under whichever
Python can `import uno` (LibreOffice's bundled python on Windows and macOS, the system python3
with python3-uno on Debian), which need not be the Python that runs reportgen. soffice is its
child, in its process group, so killing that group stops both. It talks JSON lines on
stdin/stdout: first {"ready": true} once soffice answers, then one answer per request
{"src": ..., "dst": ...}. It stops soffice and exits when stdin closes, and at once when the
process that started it dies (even by SIGKILL, while soffice is still starting or converting).
"""

import json
import os
import signal
import subprocess
import sys
import threading
import time


def main():
    pipe_name, wait, command = sys.argv[1], float(sys.argv[2]), sys.argv[3:]
    office = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    if os.name != "nt":  # after soffice started (it must not inherit this): see stop()
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
    watch_parent(office)
    try:
        return serve(pipe_name, wait, office)
    except BrokenPipeError:  # the worker is gone: nobody to answer
        return 1
    finally:
        stop(office)


def stop(office):
    """Stop soffice and what it started: its wrapper (oosplash) forks soffice.bin, which a kill of
    the wrapper alone would leave running."""
    if os.name == "nt":
        subprocess.run(["taskkill", "/T", "/F", "/PID", str(office.pid)], capture_output=True, check=False)
    else:
        try:  # this bridge leads its own process group (a new session) and soffice is in it;
            if os.getpgrp() == os.getpid():  # the bridge ignores SIGTERM, soffice.bin exits on it
                os.killpg(os.getpid(), signal.SIGTERM)
        except OSError:
            pass
    office.kill()
    office.wait()


def watch_parent(office):
    """When the reportgen worker that started this bridge dies (SIGKILL included), nobody reads
    our answers or will ever close stdin in time: stop soffice and go, rather than outlive it."""
    if os.name == "nt":
        return  # Windows keeps the dead parent's id; the worker kills the tree (taskkill /T)
    parent = os.getppid()

    def watch():
        while os.getppid() == parent:
            time.sleep(0.5)
        stop(office)
        os._exit(1)

    threading.Thread(target=watch, daemon=True).start()


def serve(pipe_name, wait, office):
    import uno
    from com.sun.star.beans import PropertyValue
    from com.sun.star.connection import NoConnectException

    local = uno.getComponentContext()
    resolver = local.ServiceManager.createInstanceWithContext("com.sun.star.bridge.UnoUrlResolver", local)
    deadline = time.monotonic() + wait
    while True:
        try:
            remote = resolver.resolve(f"uno:pipe,name={pipe_name};urp;StarOffice.ComponentContext")
            break
        except NoConnectException:
            if time.monotonic() > deadline or office.poll() is not None:
                reply({"ready": False, "error": "LibreOffice did not start"})
                return 1
            time.sleep(0.05)
    desktop = remote.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", remote)

    def prop(name, value):
        p = PropertyValue()
        p.Name, p.Value = name, value
        return p

    reply({"ready": True})
    for line in sys.stdin:
        request = json.loads(line)
        doc = None
        try:
            doc = desktop.loadComponentFromURL(
                uno.systemPathToFileUrl(request["src"]), "_blank", 0,
                (prop("Hidden", True), prop("ReadOnly", True), prop("UpdateDocMode", 0)),
            )
            if doc is None:
                raise RuntimeError("document could not be loaded")
            doc.storeToURL(uno.systemPathToFileUrl(request["dst"]), (prop("FilterName", "writer_pdf_Export"),))
            reply({"ok": True})
        except Exception as e:  # noqa: BLE001 - every failure is reported back, the bridge lives on
            reply({"ok": False, "error": f"{type(e).__name__}: {e}"})
        finally:
            if doc is not None:
                try:
                    doc.close(True)
                except Exception:  # noqa: BLE001 - a document that will not close is dropped
                    pass
    try:
        desktop.terminate()  # soffice.bin exits with the wrapper, not only the wrapper
    except Exception:  # noqa: BLE001 - the caller kills the whole group anyway
        pass
    return 0


def reply(message):
    sys.stdout.write(json.dumps(message) + "\n")
    sys.stdout.flush()


if __name__ == "__main__":
    sys.exit(main())
