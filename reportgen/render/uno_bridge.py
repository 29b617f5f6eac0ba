"""Run by LibreOffice's own Python: converts DOCX to PDF in a running soffice, one request a line.

This file is a standalone script, not part of the package at run time: it runs under whichever
Python can `import uno` (LibreOffice's bundled python on Windows and macOS, the system python3
with python3-uno on Debian), which need not be the Python that runs reportgen. It talks JSON
lines on stdin/stdout: first {"ready": true} once soffice answers, then one answer per request
{"src": ..., "dst": ...}. It exits when stdin closes.
"""

import json
import sys
import time


def main() -> int:
    import uno
    from com.sun.star.beans import PropertyValue
    from com.sun.star.connection import NoConnectException

    pipe_name, wait = sys.argv[1], float(sys.argv[2])
    local = uno.getComponentContext()
    resolver = local.ServiceManager.createInstanceWithContext("com.sun.star.bridge.UnoUrlResolver", local)
    deadline = time.monotonic() + wait
    while True:
        try:
            remote = resolver.resolve(f"uno:pipe,name={pipe_name};urp;StarOffice.ComponentContext")
            break
        except NoConnectException:
            if time.monotonic() > deadline:
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
    return 0


def reply(message):
    sys.stdout.write(json.dumps(message) + "\n")
    sys.stdout.flush()


if __name__ == "__main__":
    sys.exit(main())
