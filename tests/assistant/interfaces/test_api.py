"""The HTTP API through a real uvicorn server on 127.0.0.1, driven with httpx."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, datetime

import httpx
import pytest

from assistant import Assistant, Settings
from assistant.interfaces.server import check_bind, create_app, is_loopback
from index.loaders import parse_files
from tests.conftest import DENEUVE_QUESTION, TEST_DATA, served_assistant, serving, sse_events
from tests.documents import BRIDGE, encrypted_pdf, image_only_pdf, make_docx, make_pdf

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def api(tmp_path_factory, embeddings):
    with pytest.MonkeyPatch.context() as env:
        env.setenv("ASSISTANT_FETCH_ALLOW", "127.0.0.1")  # the test's page server
        with served_assistant(tmp_path_factory.mktemp("api"), embeddings,
                              TEST_DATA / "articles.jsonl", max_upload_bytes=50_000) as url, \
                httpx.Client(base_url=url + "/api/v1", timeout=60) as client:
            yield client


def test_health_and_stats(api):
    assert api.get("/health").json() == {"status": "ok", "articles": 5}
    stats = api.get("/stats").json()
    assert stats["articles"] == 5 and stats["embedding_model"] == "all-MiniLM-L6-v2"


def test_ask_returns_answer_with_citations(api):
    r = api.post("/ask", json={"question": DENEUVE_QUESTION})
    assert r.status_code == 200
    body = r.json()
    assert "puritanism" in body["text"] and not body["abstained"]
    c = body["citations"][0]
    assert c["n"] == 1 and "Deneuve" in c["title"] and c["published"] == "2018-01-09"
    # "PARIS (Reuters, AFP) -": one joint wire story, which both agencies reported.
    assert body["as_of"] == "2018-01-09" and body["notes"] == []
    assert [s["name"] for s in body["sources"]] == ["Reuters", "AFP"]
    assert body["sources_summary"].startswith("2 sources: Reuters, AFP")


def test_follow_up_with_history_is_rewritten(api):
    history = [{"role": "user", "content": "Who is Marlene Schiappa?"},
               {"role": "assistant", "content": "The French minister tasked with cracking down "
                                                "on violence against women. [1]"}]
    body = api.post("/ask", json={"question": "What did she kick off?",
                                  "history": history}).json()
    assert body["rewritten_question"] == "What did Marlene Schiappa kick off?"
    assert "nationwide consultations" in body["text"]
    # An answer turn may carry back the citations /ask returned (whole objects are accepted).
    first = api.post("/ask", json={"question": "Who is Marlene Schiappa?"}).json()
    history[1]["citations"] = first["citations"]
    again = api.post("/ask", json={"question": "What did she kick off?", "history": history})
    assert again.status_code == 200 and "nationwide consultations" in again.json()["text"]


def test_ask_stream_sends_deltas_then_the_answer(api):
    events = []
    with api.stream("POST", "/ask/stream", json={"question": DENEUVE_QUESTION}) as r:
        assert r.headers["content-type"].startswith("text/event-stream")
        events = list(sse_events(r))
    kinds = [e for e, _ in events]
    assert kinds[-1] == "answer" and kinds.count("delta") >= 2
    text = "".join(d["text"] for e, d in events if e == "delta")
    assert text == events[-1][1]["text"] and events[-1][1]["citations"]


def test_retrieve_returns_k_passages(api):
    body = api.post("/retrieve", json={"question": "Grindavik lava", "k": 2}).json()
    assert len(body["passages"]) == 2 and body["passages"][0]["article_id"] == "volcano"


def test_articles_are_paged_and_searchable(api):
    page = api.get("/articles", params={"limit": 2}).json()
    assert page["total"] == 5 and len(page["items"]) == 2
    assert page["items"][0]["published"] >= page["items"][1]["published"]
    found = api.get("/articles", params={"q": "volcano"}).json()
    assert [i["id"] for i in found["items"]] == ["volcano"]


def test_add_article_as_json_then_ask_about_it(api):
    article = {"title": "Lighthouse keeper retires", "source": "Harbour Herald",
               "published": "2024-06-01", "url": "https://herald.test/lighthouse",
               "text": "After forty-one years, the last lighthouse keeper of Port Ellis, Agnes "
                       "Moran, retired on Saturday. The lighthouse will now be run remotely."}
    r = api.post("/articles", json=article)
    assert r.status_code == 200 and len(r.json()["added"]) == 1
    answer = api.post("/ask", json={"question": "Who was the lighthouse keeper of Port Ellis?"})
    body = answer.json()
    assert "Agnes Moran" in body["text"]
    assert body["citations"][0]["url"] == "https://herald.test/lighthouse"
    again = api.post("/articles", json=article).json()
    assert again["unchanged"] == r.json()["added"] and again["chunks_embedded"] == 0


def test_upload_a_file(api):
    files = {"file": ("../../etc/orchard.md", b"# Orchard harvest\n\nApple growers in Kent "
                      b"picked a record crop of 12,000 tonnes this autumn.", "text/markdown")}
    r = api.post("/articles", files=files)
    assert r.status_code == 200, r.text
    [article_id] = r.json()["added"]
    found = api.get("/articles", params={"q": "orchard"}).json()["items"]
    assert [i["id"] for i in found] == [article_id]


def test_upload_limits_and_types(api):
    big = {"file": ("big.txt", b"x " * 40_000, "text/plain")}
    assert api.post("/articles", files=big).status_code == 413
    exe = {"file": ("tool.exe", b"MZ....", "application/octet-stream")}
    r = api.post("/articles", files=exe)
    assert r.status_code == 415 and "Unsupported file type" in r.json()["error"]
    bad = {"file": ("bad.json", b"{nope", "application/json")}
    r = api.post("/articles", files=bad)
    assert r.status_code == 422 and "bad.json" in r.json()["error"]
    # The upload took the UI's path (Assistant.add_files): the same reason, word for word.
    [failure] = parse_files([("bad.json", b"{nope")], max_bytes=50_000).failures
    assert r.json()["error"] == f"bad.json: {failure.reason}"
    r = api.post("/articles", content=b"plain", headers={"content-type": "text/plain"})
    assert r.status_code == 415


def test_a_malformed_json_body_is_a_400_saying_where(api):
    headers = {"content-type": "application/json"}
    r = api.post("/ask", content=b'{"question": }', headers=headers)
    assert r.status_code == 400
    assert r.json()["error"].startswith("The request body is not valid JSON: Expecting value "
                                        "at character 13 (counting from 0). Send a JSON "
                                        "object"), r.text
    r = api.post("/articles", content=b'{"text": "A story.",}', headers=headers)
    assert r.status_code == 400 and "not valid JSON" in r.json()["error"]
    assert "at character 20 (counting" in r.json()["error"]


def test_deeply_nested_json_is_a_422_naming_the_problem(api):
    deep = b"[" * 40_000  # the test server takes 50 kB
    r = api.post("/articles", files={"file": ("deep.json", deep, "application/json")})
    assert r.status_code == 422 and "deep.json" in r.json()["error"]
    assert "nested more than 32 levels" in r.json()["error"]
    r = api.post("/articles", content=deep, headers={"content-type": "application/json"})
    assert r.status_code == 422 and "nested too deeply" in r.json()["error"]
    body = {"text": "A story.", "metadata": json.loads("[" * 50 + "]" * 50)}
    r = api.post("/articles", json=body)
    assert r.status_code == 422 and "nested more than 32 levels" in r.json()["error"]
    laughs = b"---\na: &a [x, x, x]\nb: [*a, *a, *a]\n---\nBody text.\n"
    r = api.post("/articles", files={"file": ("laughs.md", laughs, "text/markdown")})
    assert r.status_code == 422 and "YAML alias" in r.json()["error"]
    assert api.get("/health").json()["status"] == "ok"


def test_delete_article(api):
    article = {"title": "Temporary", "text": "A short-lived story about a parade in Lisbon."}
    [article_id] = api.post("/articles", json=article).json()["added"]
    assert api.delete(f"/articles/{article_id}").json() == {"deleted": [article_id]}
    r = api.delete(f"/articles/{article_id}")
    assert r.status_code == 404 and "No article" in r.json()["error"]


def test_invalid_requests_get_json_errors_without_tracebacks(api):
    r = api.post("/ask", json={"question": ""})
    assert r.status_code == 422 and r.json()["error"].startswith("Invalid request")
    r = api.post("/retrieve", json={"question": "   "})
    assert r.status_code == 422 and "The question is empty" in r.json()["error"]
    r = api.post("/ask", content=b"{not json", headers={"content-type": "application/json"})
    assert r.status_code == 400  # malformed, as opposed to well-formed but invalid
    r = api.post("/articles", json={"title": "no text"})
    assert r.status_code == 422 and "text" in r.json()["error"]
    assert "Traceback" not in r.text


def test_token_protects_the_api(tmp_path, embeddings):
    a = Assistant.from_settings(Settings(data_dir=tmp_path / "d"), embeddings=embeddings)
    # Another loopback address, as a stand-in for a second interface.
    with serving(create_app(a, token="s3cret", ui_auth=("ann", "pw")),
                 host="127.0.0.2") as url:
        # The UI's data and Gradio API need the login too.
        assert httpx.get(f"{url}/config").status_code == 401
        assert httpx.get(f"{url}/gradio_api/info").status_code == 401
        with httpx.Client(base_url=url) as ui:
            assert ui.post("/login", data={"username": "ann", "password": "no"}).is_error
            assert ui.post("/login", data={"username": "ann", "password": "pw"}).is_success
            assert ui.get("/config").status_code == 200
        assert httpx.get(f"{url}/api/v1/stats").status_code == 401
        wrong = httpx.get(f"{url}/api/v1/stats", headers={"Authorization": "Bearer nope"})
        assert wrong.status_code == 401 and "token" in wrong.json()["error"]
        ok = httpx.get(f"{url}/api/v1/stats", headers={"Authorization": "Bearer s3cret"})
        assert ok.status_code == 200 and ok.json()["articles"] == 0


def test_serving_off_loopback_needs_token_and_ui_login(tmp_path):
    assert is_loopback("127.0.0.1") and is_loopback("::1") and is_loopback("localhost")
    assert not is_loopback("0.0.0.0") and not is_loopback("192.168.1.5")
    with pytest.raises(Exception, match="ASSISTANT_API_TOKEN and ASSISTANT_UI_USERNAME"):
        check_bind("0.0.0.0", token=None, ui_auth=None)
    check_bind("0.0.0.0", token="t", ui_auth=("u", "p"))
    proc = subprocess.run(
        [sys.executable, "-m", "assistant", "--data-dir", str(tmp_path / "d"), "serve",
         "--host", "0.0.0.0", "--port", "7999"],
        capture_output=True, text=True, timeout=60,
    )
    assert proc.returncode == 1
    assert "Refusing to serve on 0.0.0.0" in proc.stderr and "Traceback" not in proc.stderr


def test_retrieve_with_filters_and_modes(api):
    ap = api.post("/retrieve", json={"question": "What happened?", "k": 5,
                                     "sources": ["AP"]}).json()
    assert {p["article_id"] for p in ap["passages"]} == {"volcano"}
    dated = api.post("/retrieve", json={"question": "news", "since": "2023-09-01",
                                        "until": "2023-09-30"}).json()
    assert {p["article_id"] for p in dated["passages"]} == {"rates"}
    lexical = api.post("/retrieve", json={"question": "Grindavik", "mode": "lexical"}).json()
    assert lexical["mode"] == "lexical" and lexical["passages"][0]["article_id"] == "volcano"
    bad = api.post("/retrieve", json={"question": "x", "since": "2024-01-02",
                                      "until": "2024-01-01"})
    assert bad.status_code == 422 and "Swap the two dates" in bad.json()["error"]
    assert api.post("/retrieve", json={"question": "x", "mode": "fuzzy"}).status_code == 422


def test_dates_in_questions_are_resolved_and_shown(api):
    body = api.post("/retrieve", json={"question": "What erupted in December 2023?"}).json()
    assert body["date_range"] == {"start": "2023-12-01", "end": "2023-12-31",
                                  "expression": "in December 2023"}
    # A preference: the period's articles first, none excluded.
    assert body["dates_preferred"] and not body["date_filter_applied"]
    assert body["passages"][0]["article_id"] == "volcano" and len(body["passages"]) > 1
    answer = api.post("/ask", json={"question": "What erupted in December 2023?"}).json()
    assert answer["date_range"]["start"] == "2023-12-01" and answer["dates_preferred"]
    assert answer["citations"][0]["article_id"] == "volcano"


def test_news_metadata_travels_with_citations(api):
    c = api.post("/ask", json={"question": DENEUVE_QUESTION}).json()["citations"][0]
    assert c["place"] == "PARIS" and c["agencies"] == ["Reuters", "AFP"]


def test_add_article_by_url_and_reindex(api):
    import http.server
    import threading

    page = (b"<html><head><title>Ferry news</title><meta name='author' content='Ann Lee'>"
            b"<meta property='article:published_time' content='2024-05-02'></head><body>"
            b"<article><h1>New ferry links the islands</h1><p>A new electric ferry began "
            b"sailing between Tarn and Osk on Thursday, cutting the crossing to forty minutes, "
            b"the island council said in a statement.</p><p>Tickets cost four euros and the "
            b"council expects two thousand passengers a week during the summer.</p></article>"
            b"</body></html>")

    class Page(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 - the stdlib's name
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.end_headers()
            self.wfile.write(page)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Page)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_port}/ferry"
        r = api.post("/articles", json={"url": url})
        assert r.status_code == 200 and len(r.json()["added"]) == 1, r.text
    finally:
        server.shutdown()
    [row] = api.get("/articles", params={"q": "ferry"}).json()["items"]
    assert row["title"] == "New ferry links the islands" and row["published"] == "2024-05-02"
    assert "canonical_id" in row and row["origin"] == url
    before = api.get("/stats").json()
    report = api.post("/reindex").json()
    assert report["chunks_embedded"] == before["chunks"]
    assert api.get("/stats").json()["chunks"] == before["chunks"]
    answer = api.post("/ask", json={"question": "How long is the ferry crossing?"}).json()
    assert "forty minutes" in answer["text"]
    assert api.post("/articles", json={"url": "file:///etc/passwd"}).status_code == 422


def test_upload_pdf_and_word_articles(api):
    march_5 = datetime(2024, 3, 5, tzinfo=UTC)
    uploads = [("bridge.pdf", make_pdf([BRIDGE], title="Bridge vote", created=march_5),
                "application/pdf"),
               ("ferry.docx", make_docx(["The winter ferry timetable starts on Monday with two "
                                         "crossings a day between Port Ellis and the island."],
                                        title="Ferry timetable", author="Sam Lee"),
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document")]
    for name, data, kind in uploads:
        r = api.post("/articles", files={"file": (name, data, kind)})
        assert r.status_code == 200 and len(r.json()["added"]) == 1, r.text
    body = api.post("/retrieve", json={"question": "When does the winter ferry timetable "
                                                   "start?", "k": 1}).json()
    assert body["passages"][0]["title"] == "Ferry timetable"
    assert body["passages"][0]["authors"] == ["Sam Lee"]
    found = api.get("/articles", params={"q": "Bridge vote"}).json()["items"]
    assert [i["published"] for i in found] == ["2024-03-05"]
    for name, data, reason in (("locked.pdf", encrypted_pdf("secret"), "is encrypted"),
                               ("scan.pdf", image_only_pdf(), "has no text layer")):
        r = api.post("/articles", files={"file": (name, data, "application/pdf")})
        assert r.status_code == 422 and name in r.json()["error"]
        assert reason in r.json()["error"]
