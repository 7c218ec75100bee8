"""Knowledge admin: roles, CSRF, the FAQ editor against a real KB service, misses, and retrain jobs."""

from __future__ import annotations

import json
import os
import re
import stat
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest
import requests
from flask import Flask
from werkzeug.serving import BaseWSGIServer, make_server

from handoff.kb_client import KbAdminClient
from handoff.retrain import RetrainBusy, RetrainJob, RetrainRunner, RetrainSettings, failure_hint, load_outcome, tail
from handoff.web.admin import EXTENSION, AdminDeps, FaqForm, service_field, validate_faq, with_paraphrase
from tests.handoff.conftest import SERVICE_TOKEN, AppFactory, login_agent

KB_FIXTURES = Path(__file__).resolve().parent.parent / "kb" / "fixtures" / "kb"
RASA_TOKEN = "rasa-admin-token"
FAKE_RASA = """#!/bin/sh
# Stand-in for `rasa train`: writes <out>/<fixed-model-name>.tar.gz unless told to fail.
echo "fake rasa $*"
echo "cwd=$(pwd)"
while [ $# -gt 0 ]; do
  case "$1" in --out) OUT="$2"; shift;; --fixed-model-name) NAME="$2"; shift;; esac; shift
done
[ -n "$FAKE_RASA_SLEEP" ] && sleep "$FAKE_RASA_SLEEP"
if [ -n "$FAKE_RASA_FAIL" ]; then echo "InvalidDomain: broken" >&2; exit 3; fi
mkdir -p "$OUT" && echo model > "$OUT/$NAME.tar.gz"
echo "Your Rasa model is trained and saved at '$OUT/$NAME.tar.gz'."
"""


# ----- a real KB service in a thread -----
def serve(app: Flask) -> tuple[str, BaseWSGIServer]:
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_port}", server


@pytest.fixture()
def kb_service(tmp_path: Path) -> Iterator[str]:
    pytest.importorskip("faiss", reason="the kb library needs faiss-cpu")
    from kb.encoders.hashing import HashingEncoder
    from kb.knowledge_base import KnowledgeBase
    from kb.loaders import load_files
    from kb.server import create_app as create_kb_app

    kb_dir = tmp_path / "kb"
    kb = KnowledgeBase.open(kb_dir, HashingEncoder())
    kb.upsert(load_files([KB_FIXTURES]).values())
    kb.save()
    app = create_kb_app(kb_dir, HashingEncoder(), token=SERVICE_TOKEN, warm_up=False)
    url, server = serve(app)
    yield url
    server.shutdown()


def runner_settings(tmp_path: Path, rasa_url: str, **env: str) -> RetrainSettings:
    script = tmp_path / "bin" / "rasa"
    script.parent.mkdir(parents=True, exist_ok=True)
    script.write_text(FAKE_RASA)
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    repo = tmp_path / "repo"
    repo.mkdir(exist_ok=True)
    return RetrainSettings(rasa_bin=script, repo_root=repo, out_dir=tmp_path / "models",
                           state_dir=tmp_path / "retrain", rasa_url=rasa_url, rasa_token=RASA_TOKEN,
                           load_timeout=5, keep_models=2, env={"PATH": os.environ.get("PATH", ""), **env})


@pytest.fixture()
def admin_app(make_app: AppFactory, kb_service: str, tmp_path: Path) -> Flask:
    app = make_app(kb_url=kb_service)
    app.extensions[EXTENSION] = AdminDeps(KbAdminClient(kb_service, SERVICE_TOKEN),
                                          RetrainRunner(runner_settings(tmp_path, "http://127.0.0.1:9")))
    return app


def csrf(html: str) -> str:
    m = re.search(r'name="csrf-token" content="([^"]+)"', html)
    assert m
    return m.group(1)


def faq_post(token: str, **fields: str) -> dict[str, str]:
    return {"csrf_token": token, **{name: "" for name in FaqForm.__dataclass_fields__}, **fields}


# ----- pure form handling -----
@pytest.mark.parametrize("fields, bad", [
    ({"entry_id": "invoice", "zh_question": "Q", "zh_answer": "A"}, {"entry_id"}),
    ({"entry_id": "faq.x", "zh_question": "能开专票吗"}, {"zh_answer"}),
    ({"entry_id": "faq.x", "en_answer": "Yes"}, {"en_question"}),
    ({"entry_id": "faq.x"}, {"zh_question"}),
    ({"entry_id": "faq.x", "zh_question": "Q", "zh_answer": "A", "tags": "ok, not ok!"}, {"tags"}),
    ({"entry_id": "faq.x", "zh_question": "Q" * 201, "zh_answer": "A"}, {"zh_question"}),
    ({"entry_id": "faq.x", "en_question": "Q", "en_answer": "A", "en_paraphrases": "p" * 201}, {"en_paraphrases"}),
])
def test_validate_faq_names_each_bad_field(fields: dict[str, str], bad: set[str]) -> None:
    result = validate_faq(FaqForm(**fields))
    assert result.record is None and set(result.errors) == bad


def test_validate_faq_builds_the_kb_record() -> None:
    form = FaqForm(entry_id=" faq.invoice.vat ", tags="invoice，vat invoice", zh_question="能开专票吗？",
                   zh_answer="亲，可以。", zh_paraphrases="要专票\n\n要专票\n能开专票吗？\n专票怎么开")
    result = validate_faq(form)
    assert result.errors == {}
    assert result.record == {"id": "faq.invoice.vat", "tags": ["invoice", "vat"],
                             "zh": {"question": "能开专票吗？", "answer": "亲，可以。", "paraphrases": ["要专票", "专票怎么开"]}}


@pytest.mark.parametrize("kb_field, form_field", [
    ("id", "entry_id"), ("zh.paraphrases[2]", "zh_paraphrases"), ("en.answer", "en_answer"),
    ("tags[0]", "tags"), (None, "form"), ("body", "form"),
])
def test_service_errors_map_onto_form_fields(kb_field: str | None, form_field: str) -> None:
    assert service_field(kb_field) == form_field


def test_with_paraphrase_appends_once() -> None:
    form = FaqForm(entry_id="faq.a", zh_paraphrases="一")
    assert with_paraphrase(form, "zh", " 二 ").zh_paraphrases == "一\n二"
    assert with_paraphrase(form, "zh", "一") == form and with_paraphrase(form, "fr", "x") == form


# ----- pages -----
def test_anonymous_is_sent_to_login_and_agents_get_403(admin_app: Flask) -> None:
    resp = admin_app.test_client().get("/admin/")
    assert resp.status_code == 302 and "/console/login" in resp.headers["Location"]
    agent, token = login_agent(admin_app, "agent1", "agent")
    assert agent.get("/admin/").status_code == 403
    assert agent.get("/admin/entries").status_code == 403
    assert agent.post("/admin/retrain", data={"csrf_token": token}).status_code == 403
    assert agent.post("/admin/faq/new", data=faq_post(token, entry_id="faq.x", zh_question="Q",
                                                      zh_answer="A")).status_code == 403


def test_dashboard_shows_manifest_and_grouped_misses(admin_app: Flask, kb_service: str) -> None:
    for query in ("火星快递要几天？", "火星快递要几天", "xyzzy plugh"):
        body = requests.post(f"{kb_service}/search", json={"query": query}, timeout=10).json()
        assert body["in_scope"] is False, body
    assert requests.post(f"{kb_service}/search", json={"query": "退款多久到账？"}, timeout=10).json()["in_scope"]
    unlogged = requests.post(f"{kb_service}/search", json={"query": "xyzzy plugh?", "log_miss": False},
                             timeout=10).json()
    assert unlogged["in_scope"] is False  # e.g. the console's suggestions: not a customer asking the bot
    sup, _ = login_agent(admin_app, "boss", "supervisor")
    page = sup.get("/admin/").get_data(as_text=True)
    assert "hashing" in page and "manifest" in page
    rows = re.findall(r'<tr class="miss"><td>([^<]+)</td><td>(\d+)</td>', page)
    assert rows[0] == ("火星快递要几天", "2") and ("xyzzy plugh", "1") in rows and len(rows) == 2
    link = re.search(r'class="create-faq" href="([^"]+)"', page)
    assert link
    editor = sup.get(link.group(1).replace("&amp;", "&")).get_data(as_text=True)
    assert 'name="zh_question" value="火星快递要几天"' in editor


def test_csrf_is_required_for_every_form(admin_app: Flask) -> None:
    sup, _ = login_agent(admin_app, "boss", "supervisor")
    fields = faq_post("", entry_id="faq.x", zh_question="Q", zh_answer="A")
    del fields["csrf_token"]
    assert sup.post("/admin/faq/new", data=fields).status_code == 400
    assert sup.post("/admin/retrain", data={}).status_code == 400
    assert sup.post("/admin/entries/faq.refund.timing/delete", data={"csrf_token": "forged"}).status_code == 400
    assert admin_app.extensions[EXTENSION].kb.get_entry("faq.x") is None
    assert admin_app.extensions[EXTENSION].kb.get_entry("faq.refund.timing") is not None


def test_validation_errors_are_shown_next_to_their_fields(admin_app: Flask) -> None:
    sup, token = login_agent(admin_app, "boss", "supervisor")
    resp = sup.post("/admin/faq/new", data=faq_post(token, entry_id="no spaces allowed", zh_question="能开专票吗",
                                                    tags="bad tag!"))
    assert resp.status_code == 400
    fields = set(re.findall(r'class="err field-error" data-field="([^"]+)"', resp.get_data(as_text=True)))
    assert fields == {"entry_id", "zh_answer", "tags"}
    assert 'value="能开专票吗"' in resp.get_data(as_text=True)  # what was typed is kept


def test_create_edit_delete_go_live_in_the_kb_service(admin_app: Flask, kb_service: str) -> None:
    sup, token = login_agent(admin_app, "boss", "supervisor")
    search = lambda q: requests.post(f"{kb_service}/search", json={"query": q}, timeout=10).json()  # noqa: E731
    assert search("火星快递要几天")["in_scope"] is False
    resp = sup.post("/admin/faq/new", data=faq_post(
        token, entry_id="faq.shipping.mars", tags="shipping", zh_question="火星快递要几天？",
        zh_answer="亲，火星暂不配送。", zh_paraphrases="能寄到火星吗"))
    assert resp.status_code == 302 and resp.headers["Location"].endswith("/admin/entries/faq.shipping.mars")
    hit = search("火星快递要几天")
    assert hit["in_scope"] and hit["hits"][0]["id"] == "faq.shipping.mars"
    assert "火星暂不配送" in sup.get("/admin/entries/faq.shipping.mars").get_data(as_text=True)

    again = sup.post("/admin/faq/new", data=faq_post(token, entry_id="faq.shipping.mars", zh_question="Q",
                                                     zh_answer="A"))
    assert again.status_code == 409 and 'data-field="entry_id"' in again.get_data(as_text=True)

    edit = sup.get("/admin/entries/faq.shipping.mars/edit?add_paraphrase=寄火星多久&lang=zh").get_data(as_text=True)
    assert "能寄到火星吗\n寄火星多久" in edit
    resp = sup.post("/admin/entries/faq.shipping.mars/edit", data=faq_post(
        token, entry_id="faq.other", tags="shipping", zh_question="火星快递要几天？", zh_answer="亲，火星暂不配送。",
        en_question="Do you ship to Mars?", en_answer="Not yet."))
    assert resp.status_code == 302
    entry = requests.get(f"{kb_service}/entries/faq.shipping.mars", timeout=10).json()
    assert entry["en"]["answer"] == "Not yet." and entry["zh"]["paraphrases"] == []  # the id cannot be changed
    assert requests.get(f"{kb_service}/entries/faq.other", timeout=10).status_code == 404
    assert search("Do you ship to Mars?")["hits"][0]["id"] == "faq.shipping.mars"

    assert sup.post("/admin/entries/faq.shipping.mars/delete", data={"csrf_token": token}).status_code == 302
    assert requests.get(f"{kb_service}/entries/faq.shipping.mars", timeout=10).status_code == 404
    assert sup.get("/admin/entries/faq.shipping.mars").status_code == 404


def test_entries_list_search_and_non_faq_entries(admin_app: Flask) -> None:
    sup, token = login_agent(admin_app, "boss", "supervisor")
    listing = sup.get("/admin/entries?kind=faq&q=refund").get_data(as_text=True)
    assert "faq.refund.timing" in listing and "faq.cancel.unshipped" not in listing
    products = sup.get("/admin/entries?kind=product").get_data(as_text=True)
    product_id = re.search(r'href="/admin/entries/(product\.[^"]+)"', products)
    assert product_id
    assert sup.get(f"/admin/entries/{product_id.group(1)}").status_code == 200
    assert sup.get(f"/admin/entries/{product_id.group(1)}/edit").status_code == 400
    assert sup.post(f"/admin/entries/{product_id.group(1)}/delete", data={"csrf_token": token}).status_code == 400


def test_kb_service_down_is_reported_not_crashed(make_app: AppFactory, tmp_path: Path) -> None:
    app = make_app()
    app.extensions[EXTENSION] = AdminDeps(KbAdminClient("http://127.0.0.1:9", SERVICE_TOKEN, timeout=2),
                                          RetrainRunner(runner_settings(tmp_path, "http://127.0.0.1:9")))
    sup, token = login_agent(app, "boss", "supervisor")
    resp = sup.get("/admin/")
    assert resp.status_code == 503 and "Knowledge base unavailable" in resp.get_data(as_text=True)
    saved = sup.post("/admin/faq/new", data=faq_post(token, entry_id="faq.x", zh_question="Q", zh_answer="A"))
    assert saved.status_code == 503 and "Not saved" in saved.get_data(as_text=True)


# ----- retrain jobs -----
class ModelStub:
    """A real HTTP server standing in for Rasa's PUT /model."""

    def __init__(self, status: int = 204) -> None:
        self.status, self.calls = status, []
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_PUT(self) -> None:  # noqa: N802
                url = urlparse(self.path)
                body = json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)))
                stub.calls.append((url.path, parse_qs(url.query).get("token", [""])[0], body))
                data = b"" if stub.status == 204 else json.dumps({"message": "Agent could not be loaded"}).encode()
                self.send_response(stub.status)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


@pytest.fixture()
def model_stub() -> Iterator[ModelStub]:
    stub = ModelStub()
    yield stub
    stub.server.shutdown()
    stub.server.server_close()


def test_retrain_trains_then_hot_loads_the_model(tmp_path: Path, model_stub: ModelStub) -> None:
    settings = runner_settings(tmp_path, model_stub.url)
    runner = RetrainRunner(settings)
    job = runner.start("boss")
    assert job.state == "training" and job.active
    done = runner.wait(30)
    assert done is not None and done.state == "succeeded", done
    model = settings.out_dir / f"retrain-{job.id}.tar.gz"
    assert done.model_file == str(model) and model.exists() and done.returncode == 0 and done.finished_at
    assert model_stub.calls == [("/model", RASA_TOKEN, {"model_file": str(model.resolve())})]
    log = runner.log_tail(done)
    assert f"cwd={settings.repo_root}" in log and "--data bot --config config.yml --domain domain.yml" in log
    assert RASA_TOKEN not in Path(done.log_file).read_text()
    again = RetrainRunner(settings).status()  # a restarted bridge sees the same record
    assert again == done


def test_one_job_at_a_time_even_across_runners(tmp_path: Path, model_stub: ModelStub) -> None:
    settings = runner_settings(tmp_path, model_stub.url, FAKE_RASA_SLEEP="1.5")
    runner, other = RetrainRunner(settings), RetrainRunner(settings)
    runner.start("boss")
    with pytest.raises(RetrainBusy):
        runner.start("boss")
    with pytest.raises(RetrainBusy):
        other.start("other-process")
    status = other.status()
    assert status is not None and status.state == "training"  # held lock: not mistaken for a dead job
    assert runner.wait(30).state == "succeeded"  # type: ignore[union-attr]
    assert other.start("boss").id != status.id
    assert other.wait(30).state == "succeeded"  # type: ignore[union-attr]


def test_failed_training_keeps_the_old_model(tmp_path: Path, model_stub: ModelStub) -> None:
    runner = RetrainRunner(runner_settings(tmp_path, model_stub.url, FAKE_RASA_FAIL="1"))
    runner.start("boss")
    done = runner.wait(30)
    assert done is not None and done.state == "failed" and done.returncode == 3
    assert "exit 3" in done.message and "InvalidDomain: broken" in done.message and model_stub.calls == []
    assert "InvalidDomain: broken" in runner.log_tail(done)


def test_rasa_refusing_the_model_fails_the_job(tmp_path: Path, model_stub: ModelStub) -> None:
    model_stub.status = 500
    runner = RetrainRunner(runner_settings(tmp_path, model_stub.url))
    runner.start("boss")
    done = runner.wait(30)
    assert done is not None and done.state == "failed" and done.model_file
    assert "HTTP 500" in done.message and "Agent could not be loaded" in done.message
    assert "old model" in done.message


def test_rasa_unreachable_and_missing_binary(tmp_path: Path) -> None:
    settings = runner_settings(tmp_path, "http://127.0.0.1:9")
    runner = RetrainRunner(settings)
    runner.start("boss")
    done = runner.wait(30)
    assert done is not None and done.state == "failed" and "not reachable" in done.message
    gone = RetrainRunner(RetrainSettings(**{**settings.__dict__, "rasa_bin": tmp_path / "nope"}))
    gone.start("boss")
    missing = gone.wait(30)
    assert missing is not None and missing.returncode == 127 and "not found" in gone.log_tail(missing)


def test_a_job_orphaned_by_a_restart_is_marked_failed(tmp_path: Path) -> None:
    settings = runner_settings(tmp_path, "http://127.0.0.1:9")
    settings.state_dir.mkdir(parents=True)
    orphan = RetrainJob("20260101-000000-abcd", "training", "2026-01-01T00:00:00+00:00", "boss", "")
    (settings.state_dir / "status.json").write_text(json.dumps(orphan.__dict__))
    status = RetrainRunner(settings).status()
    assert status is not None and status.state == "failed" and "interrupted" in status.message
    assert status.finished_at


def test_old_retrained_models_are_pruned(tmp_path: Path, model_stub: ModelStub) -> None:
    settings = runner_settings(tmp_path, model_stub.url)
    (settings.out_dir).mkdir(parents=True)
    (settings.out_dir / "bot-abc.tar.gz").write_text("set-up model")
    runner = RetrainRunner(settings)
    for _ in range(3):
        runner.start("boss")
        assert runner.wait(30).state == "succeeded"  # type: ignore[union-attr]
    names = sorted(p.name for p in settings.out_dir.iterdir())
    assert len([n for n in names if n.startswith("retrain-")]) == 2 and "bot-abc.tar.gz" in names


def test_pure_helpers(tmp_path: Path) -> None:
    assert load_outcome(204, "")[0] and not load_outcome(400, '{"message": "bad"}')[0]
    assert "bad" in load_outcome(400, '{"message": "bad"}')[1] and "garbage" in load_outcome(502, "garbage")[1]
    log = tmp_path / "x.log"
    log.write_text("\n".join(str(i) for i in range(100)))
    assert tail(log, 3) == "97\n98\n99" and tail(tmp_path / "missing.log") == ""
    rasa_log = ("Epochs: 100%\r2026 ERROR rasa.engine.graph - Error running graph component for node x.\n"
                "Incomplete rules found🚨\n\n- the action 'action_track_parcel' in rule 'r' does not set 'awaiting'.\n"
                "Please note that ...\n")
    assert failure_hint(rasa_log).startswith("Incomplete rules found🚨 - the action 'action_track_parcel'")
    assert failure_hint("all good\n") == ""


def test_retrain_button_and_status_page(admin_app: Flask, tmp_path: Path, model_stub: ModelStub) -> None:
    deps: AdminDeps = admin_app.extensions[EXTENSION]
    deps.retrain = RetrainRunner(runner_settings(tmp_path, model_stub.url))
    sup, token = login_agent(admin_app, "boss", "supervisor")
    assert "No retrain has run" in sup.get("/admin/retrain").get_data(as_text=True)
    resp = sup.post("/admin/retrain", data={"csrf_token": token})
    assert resp.status_code == 303
    assert deps.retrain.wait(30).state == "succeeded"  # type: ignore[union-attr]
    page = sup.get("/admin/retrain").get_data(as_text=True)
    assert re.search(r'id="retrain-state">succeeded<', page) and "Your Rasa model is trained" in page
    assert 'id="retrain-state">succeeded<' in sup.get("/admin/").get_data(as_text=True)
    assert len(model_stub.calls) == 1


def test_wrong_service_token_is_shown_not_swallowed(make_app: AppFactory, kb_service: str, tmp_path: Path) -> None:
    app = make_app()
    app.extensions[EXTENSION] = AdminDeps(KbAdminClient(kb_service, "wrong-token"),
                                          RetrainRunner(runner_settings(tmp_path, "http://127.0.0.1:9")))
    sup, token = login_agent(app, "boss", "supervisor")
    page = sup.get("/admin/")
    assert page.status_code == 200 and "Could not read the unanswered questions" in page.get_data(as_text=True)
    saved = sup.post("/admin/faq/new", data=faq_post(token, entry_id="faq.x", zh_question="Q", zh_answer="A"))
    body = saved.get_data(as_text=True)
    assert saved.status_code == 400 and 'data-field="form"' in body and "bearer token" in body
    assert requests.get(f"{kb_service}/entries/faq.x", timeout=10).status_code == 404
