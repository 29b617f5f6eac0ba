"""`reportgen serve`: the HTTP API against a real server on 127.0.0.1, and the page in a real Chromium."""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import httpx
import pytest
from helpers import run_cli, set_cells

from reportgen.app.synthetic import unit_report
from reportgen.findings import ERROR
from reportgen.formats import get_format
from reportgen.read import load
from reportgen.resources import sample_json, sample_workbook
from reportgen.write.workbook import write_workbook

ROOT = Path(__file__).resolve().parent.parent
IMAGES = ROOT / "docs" / "images"
REQ = get_format().requests.sheet
STEM = "临沂市兰山区人民政府2021年政府信息公开工作年度报告"
CHROMIUM = Path("/usr/bin/chromium")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Server:
    url: str
    port: int
    process: subprocess.Popen[str]
    tmp: Path  # the server's TMPDIR: upload folders are made (and must be deleted) here
    banner: str


def start_server(tmp: Path, *args: str) -> Server:
    port = free_port()
    env = dict(os.environ, TMPDIR=str(tmp), PYTHONIOENCODING="utf-8", NO_COLOR="1")
    process = subprocess.Popen([sys.executable, "-m", "reportgen.cli", "serve", "--port", str(port), *args],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, encoding="utf-8",
                               env=env, cwd=ROOT)
    assert process.stdout is not None
    banner = process.stdout.readline()  # printed once the socket listens
    if not banner:
        raise AssertionError(f"reportgen serve did not start: {process.communicate(timeout=10)}")
    return Server(f"http://127.0.0.1:{port}", port, process, tmp, banner)


def stop_server(server: Server) -> tuple[str, str]:
    server.process.send_signal(signal.SIGINT)  # what Ctrl+C sends
    out, err = server.process.communicate(timeout=30)
    assert server.process.returncode == 0, err
    assert "Traceback" not in err
    return out, err


@pytest.fixture(scope="module")
def units(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A district's folder: two good units and one whose table 3 does not balance."""
    folder = tmp_path_factory.mktemp("units")
    for seed, organ in ((1, "甲镇人民政府"), (2, "乙街道办事处"), (3, "区教育局")):
        write_workbook(folder / f"{organ}.xlsx", report=unit_report(seed, organ=organ))
    set_cells(folder / "区教育局.xlsx", {(REQ, "D30"): 12})
    return folder


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, units: Path) -> Iterator[Server]:
    running = start_server(tmp_path_factory.mktemp("server-tmp"), "--data", str(units))
    yield running
    stop_server(running)


@pytest.fixture
def client(server: Server) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url, timeout=120) as c:
        yield c
    assert not list(server.tmp.glob("reportgen-*")), "an upload's temporary folder was left behind"


@pytest.fixture(scope="module")
def broken(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample with 上年结转 of table 3 changed: the balance of two columns breaks."""
    path = tmp_path_factory.mktemp("broken") / "兰山区2021（有误）.xlsx"
    shutil.copyfile(sample_workbook(), path)
    set_cells(path, {(REQ, "D30"): 12})
    return path


def upload(path: Path, name: str | None = None) -> dict[str, tuple[str, bytes]]:
    return {"file": (name or path.name, path.read_bytes())}


def cli_json(*args: str | Path) -> dict:
    result = run_cli("check", "--json", *args)
    return json.loads(result.stdout)


def remedies_given(findings: list[dict]) -> list[dict]:
    assert all(f["remedy"] for f in findings if f["severity"] != "info"), "a finding without a remedy"
    return findings  # the CLI gives the same remedies: nothing to take out


def renamed(cli: dict, path: Path) -> dict:
    """The CLI's JSON as the server gives it: the file named as uploaded, not by its path."""
    return json.loads(json.dumps(cli, ensure_ascii=False).replace(str(path), path.name))


# ---- The server ----------------------------------------------------------------------------------


def listening_addresses(port: int) -> set[str]:
    """The local addresses of sockets listening on `port`, from the kernel's own table."""
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            local, state = line.split()[1], line.split()[3]
            address, hex_port = local.split(":")
            if int(hex_port, 16) == port and state == "0A":  # 0A: LISTEN
                found.add(address)
    return found


@pytest.mark.skipif(not Path("/proc/net/tcp").exists(), reason="reads Linux's socket table")
def test_it_listens_on_127_0_0_1_only(server):
    assert server.banner.startswith(f"reportgen 工作台已启动：http://127.0.0.1:{server.port}/")
    assert listening_addresses(server.port) == {"0100007F"}  # 127.0.0.1, little-endian hex


def test_the_page_has_a_file_input_and_loads_nothing_from_the_internet(client):
    from html.parser import HTMLParser

    page = client.get("/")
    assert page.status_code == 200
    inputs: list[dict[str, str | None]] = []
    assets: list[str] = []

    class Collect(HTMLParser):
        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            if tag == "input":
                inputs.append(dict(attrs))
            if tag in ("script", "link"):
                assets.append(dict(attrs).get("src") or dict(attrs).get("href") or "")

    Collect().feed(page.text)
    assert {"id": "file", "name": "file", "type": "file",
            "accept": ".xlsx,.xlsm,.json,.docx,.html,.htm,.txt"} in inputs
    assert sorted(assets) == ["/static/workbench.css", "/static/workbench.js", "data:,"]  # data: no favicon
    csp = page.headers["content-security-policy"]
    assert "default-src 'none'" in csp and "script-src 'self';" in csp and "frame-ancestors 'none'" in csp
    for asset in (a for a in assets if a.startswith("/")):
        body = client.get(asset)
        assert body.status_code == 200 and body.headers["x-content-type-options"] == "nosniff"
        assert "http://" not in body.text and "https://" not in body.text and "//cdn" not in body.text
    assert client.get("/static/..%2f..%2fcli.py").status_code == 404


def test_check_answers_the_json_of_check_json(client):
    answer = client.post("/api/check", files=upload(sample_json()))
    assert answer.status_code == 200
    body = answer.json()
    assert body["file"] == "lanshan-2021.json" and body["ok"] is True
    assert [f["code"] for f in body["findings"]] == ["stale_number"]
    assert body["findings"][0]["remedy"] == "改正文中的数字，或改用占位符让系统填入。"
    cli = renamed(cli_json(sample_json()), sample_json())
    assert body | {"findings": remedies_given(body["findings"])} == cli


def test_check_of_a_workbook_names_sheet_and_cell_as_the_cli_does(client, broken):
    body = client.post("/api/check", files=upload(broken)).json()
    assert body["ok"] is False
    errors = [(f["sheet"], f["cell"], f["code"]) for f in body["findings"] if f["severity"] == ERROR]
    assert errors == [(REQ, "D6:D28,D30", "balance")]  # once, at the cells a clerk types
    assert body | {"findings": remedies_given(body["findings"])} == renamed(cli_json(broken), broken)
    assert "reportgen-web" not in json.dumps(body, ensure_ascii=False)  # no temporary path shown


def test_build_refuses_a_workbook_that_breaks_an_identity_with_422(client, broken):
    answer = client.post("/api/build", files=upload(broken), data={"format": "docx,html"})
    assert answer.status_code == 422
    body = answer.json()
    first = next(f for f in body["findings"] if f["severity"] == ERROR)
    assert first["location"] == f"{REQ}!D6:D28,D30" and first["code"] == "balance"
    assert "本年新收＋上年结转应等于（七）总计＋结转下年度继续办理" in first["remedy"]


def test_build_gives_a_zip_with_the_same_documents_as_the_cli(client, tmp_path):
    answer = client.post("/api/build", files=upload(sample_workbook()), data={"format": "docx,html"})
    assert answer.status_code == 200 and answer.headers["content-type"] == "application/zip"
    assert answer.headers["content-disposition"].endswith(f"filename*=UTF-8''{quote(STEM)}.zip")
    archive = zipfile.ZipFile(io.BytesIO(answer.content))
    assert sorted(archive.namelist()) == [f"{STEM}.docx", f"{STEM}.html"]
    built = run_cli("build", sample_workbook(), "-o", tmp_path, "--format", "docx,html")
    assert built.returncode == 0, built.stderr
    for name in archive.namelist():  # byte for byte: the same pipeline, reproducible output
        assert archive.read(name) == (tmp_path / name).read_bytes(), name
    html = archive.read(f"{STEM}.html").decode("utf-8")
    assert "予以公开90件，占40.2%" in html


def test_build_with_a_chosen_pack_and_one_document_without_zip(client):
    answer = client.post("/api/build", files=upload(sample_json()),
                         data={"format": "html", "template": "lanshan", "zip": "0"})
    assert answer.status_code == 200 and answer.headers["content-type"] == "text/html; charset=utf-8"
    standard = client.post("/api/build", files=upload(sample_json()), data={"format": "html", "zip": "0"})
    # lanshan rounds by largest remainder and states the share of 答复总量
    assert "不予处理1件，占答复总量的0.5%" in answer.text and "不予处理1件，占0.4%" in standard.text
    unknown = client.post("/api/build", files=upload(sample_json()), data={"template": "../standard"})
    assert unknown.status_code == 400 and unknown.json() == {"error": "没有名为“../standard”的模板包"}
    bad_format = client.post("/api/build", files=upload(sample_json()), data={"format": "doc"})
    assert bad_format.status_code == 400 and "不认识的输出格式：doc" in bad_format.json()["error"]


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("soffice") is None or shutil.which("pdftotext") is None,
                    reason="LibreOffice 或 poppler 未安装")
def test_build_a_pdf(client, tmp_path):
    answer = client.post("/api/build", files=upload(sample_json()), data={"format": "pdf", "zip": "0"})
    assert answer.status_code == 200 and answer.headers["content-type"] == "application/pdf"
    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(answer.content)
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    text = re.sub(r"\s+", "", text)  # pdftotext breaks lines and spaces digits from CJK
    assert "临沂市兰山区人民政府2021年政府信息公开工作年度报告" in text and "予以公开90件，占40.2%" in text


def test_a_bad_file_gets_the_clis_chinese_message(client, tmp_path):
    bad = tmp_path / "坏的.json"
    bad.write_text('{"meta": {"year": 2025},}', encoding="utf-8")
    cli = run_cli("check", bad)
    assert cli.returncode == 2
    answer = client.post("/api/check", files=upload(bad))
    assert answer.status_code == 400
    body = answer.json()
    assert body["error"] == cli.stderr.strip().removeprefix("错误：").replace(str(bad), "坏的.json")
    assert "JSON格式错误（第1行第25列）" in body["error"] and "Traceback" not in answer.text


def test_a_client_path_never_becomes_a_file_path(client, server, tmp_path):
    before = sorted(p.name for p in server.tmp.parent.iterdir())
    answer = client.post("/api/check", files=upload(sample_json(), "..\\../../逃逸/../兰山.json"))
    assert answer.status_code == 200 and answer.json()["file"] == "兰山.json"
    assert sorted(p.name for p in server.tmp.parent.iterdir()) == before
    odd = client.post("/api/check", files={"file": ("报告.exe", b"MZ")})
    assert odd.status_code == 400
    assert odd.json()["error"].startswith("报告.exe：不支持的文件类型“.exe”。请提供工作簿（.xlsx）")


def big_body(boundary: str, size: int) -> Iterator[bytes]:
    """A multipart upload of `size` zero bytes, sent in chunks without a Content-Length."""
    yield (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"大.xlsx\"\r\n"
           "Content-Type: application/octet-stream\r\n\r\n").encode()
    chunk = b"\0" * (1024 * 1024)
    for _ in range(size // len(chunk)):
        yield chunk
    yield f"\r\n--{boundary}--\r\n".encode()


def test_a_25_mb_upload_is_refused_with_413_and_the_server_keeps_serving(client):
    big = b"\0" * (25 * 1024 * 1024)
    answer = client.post("/api/check", files={"file": ("大.xlsx", big)})
    assert answer.status_code == 413
    assert answer.json()["error"].startswith("文件超过20 MB，已拒绝")
    # Without a Content-Length the limit is enforced while the body streams in.
    streamed = client.post("/api/check", content=big_body("b0undary", 25 * 1024 * 1024),
                           headers={"content-type": "multipart/form-data; boundary=b0undary"})
    assert streamed.status_code == 413 and "content-length" not in streamed.request.headers
    assert client.get("/api/info").status_code == 200
    assert client.post("/api/check", files=upload(sample_json())).json()["ok"] is True


def test_cross_origin_posts_and_foreign_hosts_are_refused(client, server):
    files = upload(sample_json())
    for headers in ({"origin": "http://evil.example"}, {"sec-fetch-site": "cross-site"},
                    {"sec-fetch-site": "same-site"}, {"origin": "null"}):
        answer = client.post("/api/check", files=files, headers=headers)
        assert answer.status_code == 403, headers
        assert answer.json() == {"error": "拒绝来自其他网站的请求"}
    same = {"origin": server.url, "sec-fetch-site": "same-origin"}
    assert client.post("/api/check", files=files, headers=same).status_code == 200
    rebound = client.get("/", headers={"host": f"evil.example:{server.port}"})
    assert rebound.status_code == 400 and "不接受的主机名“evil.example”" in rebound.json()["error"]


def test_the_district_view_lists_units_and_merges_them(client, units, tmp_path):
    listing = client.get("/api/units").json()
    status = {u["file"]: u["status"] for u in listing["units"]}
    assert status["区教育局.xlsx"] == "错误"
    assert status["甲镇人民政府.xlsx"] in ("通过", "警告") and status["乙街道办事处.xlsx"] in ("通过", "警告")
    assert f"{REQ}!D6:D28,D30" in next(u["message"] for u in listing["units"] if u["file"] == "区教育局.xlsx")

    def run(**fields: str) -> tuple[str, dict]:
        started = client.post("/api/district", data={"organ": "某某区人民政府", "format": "docx,html"} | fields)
        assert started.status_code == 202, started.text
        job = started.json()["job"]
        for _ in range(600):
            state = client.get(f"/api/district/{job}").json()
            if state["finished"]:
                return job, state
            time.sleep(0.1)
        raise AssertionError("the district job did not finish")

    _, refused = run()
    assert refused["ok"] is False and refused["problems"][0]["file"] == "区教育局.xlsx"
    assert any(m.startswith(f"{REQ}!D6:D28,D30") for m in refused["problems"][0]["messages"])
    assert str(units) not in json.dumps(refused, ensure_ascii=False)

    job, done = run(skip_invalid="1")
    assert done["ok"] is True and done["done"] == done["total"] == 5
    assert done["stage"] == "已汇总2个单位（已跳过1个有错误的单位）"
    archive = zipfile.ZipFile(io.BytesIO(client.get(f"/api/district/{job}/download").content))
    names = sorted(archive.namelist())
    assert names == ["某某区人民政府2025年政府信息公开工作年度报告.docx",
                     "某某区人民政府2025年政府信息公开工作年度报告.html", "某某区人民政府2025年汇总.xlsx"]
    (tmp_path / "汇总.xlsx").write_bytes(archive.read(names[2]))
    merged = load(tmp_path / "汇总.xlsx")
    good = [load(units / "甲镇人民政府.xlsx"), load(units / "乙街道办事处.xlsx")]
    assert merged.meta["organ"] == "某某区人民政府" and [u["organ"] for u in merged.units] == ["乙街道办事处", "甲镇人民政府"]
    for key, _ in get_format().input_figures():
        assert merged.figures[key] == sum(u.figures[key] for u in good), key
    html = archive.read(names[1]).decode("utf-8")
    total = merged.figures["requests.new.natural_person"]
    assert "某某区人民政府" in html and f">{total}<" in html

    missing = client.post("/api/district", data={"organ": " "})
    assert missing.status_code == 400 and "请填写汇总报告的机关全称" in missing.json()["error"]


def test_network_binding_warns_and_a_taken_port_is_explained(tmp_path):
    exposed = start_server(tmp_path, "--host", "0.0.0.0")
    try:
        assert httpx.get(f"{exposed.url}/api/units").json()["error"].startswith("未开启区县汇总")
    finally:
        _, err = stop_server(exposed)
    assert "警告：--host 0.0.0.0 让同一网络中的任何人都能打开本页面" in err
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        port = holder.getsockname()[1]
        taken = run_cli("serve", "--port", str(port))
    assert taken.returncode == 2
    assert f"端口{port}已被占用" in taken.stderr and "Traceback" not in taken.stderr


# ---- The page in a real browser ------------------------------------------------------------------

SCREENSHOTS = ("serve-findings.png", "serve-preview.png", "serve-district.png")


@pytest.mark.slow
@pytest.mark.skipif(not CHROMIUM.exists(), reason="Chromium 未安装（Debian：apt-get install chromium）")
def test_the_page_in_chromium_checks_previews_downloads_and_merges(server, broken, tmp_path):
    """Upload, findings, preview, downloads and the district view, as a clerk would click them.

    Its screenshots illustrate the user guide: REPORTGEN_UPDATE_SCREENSHOTS=1 writes them to docs/images/.
    """
    from playwright.sync_api import expect, sync_playwright

    shots = tmp_path / "shots"
    shots.mkdir()
    refused: list[str] = []
    with sync_playwright() as p:
        # Debian's Chromium: Playwright cannot download its own browser on these machines.
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1280, "height": 800}, accept_downloads=True)
        page.on("console", lambda m: refused.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: refused.append(str(e)))
        page.goto(server.url)

        big = tmp_path / "大.xlsx"
        big.write_bytes(b"\0" * (25 * 1024 * 1024))
        page.set_input_files("#file", str(big))
        expect(page.locator("#status")).to_contain_text("文件超过20 MB，已拒绝", timeout=30_000)

        page.set_input_files("#file", str(broken))
        expect(page.locator("#status")).to_contain_text("有1个错误", timeout=30_000)
        first = page.locator(".finding.error").first
        expect(first.locator(".where")).to_have_text(f"{REQ}!D6:D28,D30")
        expect(first.locator(".remedy")).to_contain_text("处理办法：本年新收＋上年结转应等于")
        expect(page.locator(".download[data-format=docx]")).to_be_disabled()
        expect(page.locator("#preview-empty")).to_have_text("数据有错误，改正后才能预览和生成报告。")
        page.screenshot(path=str(shots / "serve-findings.png"))

        page.set_input_files("#file", str(sample_workbook()))
        expect(page.locator("#status")).to_contain_text("检查通过", timeout=30_000)
        preview = page.frame_locator("#preview")
        expect(preview.locator("h1")).to_contain_text("临沂市兰山区人民政府", timeout=30_000)
        expect(preview.locator("body")).to_contain_text("予以公开90件，占40.2%")
        assert page.locator("#preview").get_attribute("sandbox") == ""
        expect(page.locator(".finding.warning .where")).to_have_text("正文!C3")
        page.screenshot(path=str(shots / "serve-preview.png"))

        with page.expect_download(timeout=60_000) as docx:
            page.click(".download[data-format=docx]")
        assert docx.value.suggested_filename == f"{STEM}.docx"
        saved = tmp_path / "downloaded.docx"
        docx.value.save_as(saved)
        assert "予以公开90件" in zipfile.ZipFile(saved).read("word/document.xml").decode("utf-8")
        with page.expect_download(timeout=60_000) as html:
            page.click(".download[data-format=html]")
        assert html.value.suggested_filename == f"{STEM}.html"

        page.select_option("#template", "lanshan")
        expect(preview.locator("body")).to_contain_text("不予处理1件，占答复总量的0.5%", timeout=30_000)

        page.click(".tab[data-tab=district]")
        rows = page.locator("#units tbody tr")
        expect(rows).to_have_count(3)
        expect(rows.filter(has_text="区教育局.xlsx").locator(".badge")).to_have_text("错误")
        page.fill("#organ", "某某区人民政府")
        page.check("input[name=skip_invalid]")
        with page.expect_download(timeout=60_000) as district:
            page.click("#merge-go")
        assert district.value.suggested_filename == "某某区人民政府2025年政府信息公开工作年度报告.zip"
        expect(page.locator("#merge-status")).to_contain_text("已汇总2个单位")
        expect(page.locator("#progress")).to_have_attribute("value", "5")
        page.screenshot(path=str(shots / "serve-district.png"), full_page=True)
        browser.close()
    # No script error, nothing blocked by the page's Content-Security-Policy: only the refused upload.
    assert refused == ["Failed to load resource: the server responded with a status of 413 (Request Entity Too Large)"]
    if os.environ.get("REPORTGEN_UPDATE_SCREENSHOTS") == "1":
        IMAGES.mkdir(exist_ok=True)
        for name in SCREENSHOTS:
            shutil.copyfile(shots / name, IMAGES / name)


def test_the_user_guide_shows_the_screenshots():
    guide = (ROOT / "docs" / "user-guide.md").read_text(encoding="utf-8")
    for name in SCREENSHOTS:
        assert f"(images/{name})" in guide, name
        assert (IMAGES / name).stat().st_size < 300_000, f"{name} is too large for the docs"


def test_without_the_web_extra_serve_says_what_to_install():
    probe = (
        "import sys; sys.modules['starlette'] = None; from click.testing import CliRunner; "
        "from reportgen.cli import main; r = CliRunner().invoke(main, ['serve']); print(r.exit_code); print(r.output)"
    )
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    code, message = result.stdout.split("\n", 1)
    assert code == "2"
    assert message.strip() == '错误：网页界面需要另外安装组件（缺少 starlette）。请在 reportgen 文件夹中运行：pip install ".[web]"'
