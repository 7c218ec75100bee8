"""Knowledge admin (supervisors): KB entries, FAQ editor, unanswered questions and bot retraining."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

from flask import Blueprint, abort, current_app, flash, g, redirect, render_template, request, url_for

from handoff.kb_client import KbAdminApi, KbAdminClient, KbRejected, KbUnavailable
from handoff.masking import mask
from handoff.retrain import RetrainBusy, RetrainRunner, RetrainSettings
from handoff.web.auth import login_required
from handoff.web.common import services

bp = Blueprint("admin", __name__, url_prefix="/admin")
F = TypeVar("F", bound=Callable[..., Any])
EXTENSION = "handoff_admin"
ID_PATTERN = re.compile(r"^faq\.[A-Za-z0-9_.:\-]{1,96}$")
TAG_PATTERN = re.compile(r"^[\w.\-]{1,32}$")
LANGS = ("zh", "en")
LIMITS = {"question": 200, "answer": 2000, "paraphrase": 200, "paraphrases": 50, "tags": 20}
KINDS = ("faq", "product", "policy")


# ----- dependencies -----
@dataclass
class AdminDeps:
    """The admin area's clients; built from the bridge config on first use, or handed in by tests."""

    kb: KbAdminApi
    retrain: RetrainRunner


def admin_deps() -> AdminDeps:
    deps: AdminDeps | None = current_app.extensions.get(EXTENSION)
    if deps is None:
        cfg = services().config
        deps = AdminDeps(kb=KbAdminClient(cfg.kb_url, cfg.service_token),
                         retrain=RetrainRunner(RetrainSettings.from_env(cfg.rasa_url, cfg.rasa_token)))
        current_app.extensions[EXTENSION] = deps
    return deps


def supervisor_required(view: F) -> F:
    """Logged-in supervisors only; other agents get 403."""

    @functools.wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if g.agent.role != "supervisor":
            abort(403, "The knowledge admin is for supervisors.")
        return view(*args, **kwargs)

    return login_required(wrapped)  # type: ignore[return-value]


# ----- pure form handling -----
@dataclass(frozen=True)
class FaqForm:
    """The editor's fields as text, exactly as shown and posted."""

    entry_id: str = ""
    tags: str = ""
    zh_question: str = ""
    zh_answer: str = ""
    zh_paraphrases: str = ""
    en_question: str = ""
    en_answer: str = ""
    en_paraphrases: str = ""

    @classmethod
    def from_post(cls, data: Mapping[str, str]) -> FaqForm:
        return cls(**{name: str(data.get(name, "")).replace("\r\n", "\n") for name in cls.__dataclass_fields__})

    @classmethod
    def from_entry(cls, entry: Mapping[str, Any]) -> FaqForm:
        blocks = {lang: entry.get(lang) or {} for lang in LANGS}
        return cls(entry_id=str(entry.get("id", "")), tags=", ".join(entry.get("tags") or []),
                   **{f"{lang}_{part}": str(blocks[lang].get(part) or "") for lang in LANGS
                      for part in ("question", "answer")},
                   **{f"{lang}_paraphrases": "\n".join(blocks[lang].get("paraphrases") or []) for lang in LANGS})


@dataclass(frozen=True)
class FormResult:
    record: dict[str, Any] | None
    errors: dict[str, str] = field(default_factory=dict)


def _lines(text: str) -> list[str]:
    seen: list[str] = []
    for line in text.split("\n"):
        item = line.strip()
        if item and item not in seen:
            seen.append(item)
    return seen


def validate_faq(form: FaqForm) -> FormResult:
    """Field errors keyed by form field name, or the KB service's structured FAQ record."""
    errors: dict[str, str] = {}
    entry_id = form.entry_id.strip()
    if not ID_PATTERN.match(entry_id):
        errors["entry_id"] = "Id must look like faq.topic.name (letters, digits and . _ - : only)."
    tags = [t for t in re.split(r"[,\s，、]+", form.tags) if t]
    bad = [t for t in tags if not TAG_PATTERN.match(t)]
    if bad:
        errors["tags"] = f"Tags are single words (letters, digits, . _ -), up to 32 characters: {bad[0]!r}."
    elif len(tags) > LIMITS["tags"]:
        errors["tags"] = f"At most {LIMITS['tags']} tags."
    record: dict[str, Any] = {"id": entry_id, "tags": list(dict.fromkeys(tags))}
    for lang in LANGS:
        question = getattr(form, f"{lang}_question").strip()
        answer = getattr(form, f"{lang}_answer").strip()
        paraphrases = [p for p in _lines(getattr(form, f"{lang}_paraphrases")) if p != question]
        if not (question or answer or paraphrases):
            continue
        if not question:
            errors[f"{lang}_question"] = "A question is required when this language is filled in."
        elif len(question) > LIMITS["question"]:
            errors[f"{lang}_question"] = f"At most {LIMITS['question']} characters."
        if not answer:
            errors[f"{lang}_answer"] = "An answer is required when this language is filled in."
        elif len(answer) > LIMITS["answer"]:
            errors[f"{lang}_answer"] = f"At most {LIMITS['answer']} characters."
        too_long = [p for p in paraphrases if len(p) > LIMITS["paraphrase"]]
        if too_long:
            errors[f"{lang}_paraphrases"] = f"Each paraphrase at most {LIMITS['paraphrase']} characters."
        elif len(paraphrases) > LIMITS["paraphrases"]:
            errors[f"{lang}_paraphrases"] = f"At most {LIMITS['paraphrases']} paraphrases."
        record[lang] = {"question": question, "answer": answer, "paraphrases": paraphrases}
    if not any(lang in record for lang in LANGS) and "zh_question" not in errors:
        errors["zh_question"] = "Fill in at least one language (Chinese or English)."
    return FormResult(None if errors else record, errors)


def service_field(kb_field: str | None) -> str:
    """Map the KB service's error field ('zh.paraphrases[2]') onto the editor's field name."""
    if not kb_field:
        return "form"
    if kb_field == "id":
        return "entry_id"
    match = re.match(r"^(zh|en)\.(question|answer|paraphrases)", kb_field)
    if match:
        return f"{match.group(1)}_{match.group(2)}"
    return "tags" if kb_field.startswith("tags") else "form"


def prefill_from_miss(args: Mapping[str, str]) -> FaqForm:
    """A new FAQ pre-filled with an unanswered question in its language."""
    lang = args.get("lang") if args.get("lang") in LANGS else "zh"
    return FaqForm(**{f"{lang}_question": (args.get("q") or "").strip()[:LIMITS["question"]]})


def with_paraphrase(form: FaqForm, lang: str, text: str) -> FaqForm:
    """Add an unanswered wording as a paraphrase of an existing FAQ (the usual fix for a near miss)."""
    text = text.strip()[:LIMITS["paraphrase"]]
    if lang not in LANGS or not text:
        return form
    name = f"{lang}_paraphrases"
    current = getattr(form, name)
    if text in _lines(current):
        return form
    return FaqForm(**{**form.__dict__, name: (current.rstrip("\n") + "\n" + text).strip("\n")})


# ----- pages -----
@bp.errorhandler(KbUnavailable)
@bp.errorhandler(KbRejected)
def _kb_down(exc: Exception) -> Any:
    """Reads that fail show what the KB service said instead of a generic 500."""
    return render_template("admin/unavailable.html", agent=g.get("agent"), message=str(exc)), 503


def _retrain_view() -> dict[str, Any]:
    runner = admin_deps().retrain
    job = runner.status()
    return {"job": job, "log": runner.log_tail(job) if job else ""}


@bp.get("/")
@supervisor_required
def dashboard() -> Any:
    kb = admin_deps().kb
    health = kb.health()
    misses_error = None
    try:
        misses = kb.misses(limit=30)
    except (KbUnavailable, KbRejected) as exc:
        misses, misses_error = None, str(exc)
    for row in misses or []:
        row["query"] = mask(str(row.get("query", "")))  # customers type phone numbers and addresses
    return render_template("admin/dashboard.html", agent=g.agent, manifest=health.get("manifest") or {},
                           health=health, misses=misses, misses_error=misses_error, **_retrain_view())


@bp.get("/entries")
@supervisor_required
def entries() -> Any:
    kind = request.args.get("kind") if request.args.get("kind") in KINDS else None
    q = (request.args.get("q") or "").strip()[:100]
    rows = admin_deps().kb.list_entries(kind, q or None)
    return render_template("admin/entries.html", agent=g.agent, rows=rows, kind=kind, q=q, kinds=KINDS)


def _entry_or_404(entry_id: str) -> dict[str, Any]:
    entry = admin_deps().kb.get_entry(entry_id)
    if entry is None:
        abort(404, f"No knowledge-base entry {entry_id!r}.")
    return entry


@bp.get("/entries/<entry_id>")
@supervisor_required
def entry(entry_id: str) -> Any:
    return render_template("admin/entry.html", agent=g.agent, entry=_entry_or_404(entry_id))


def _editor(form: FaqForm, errors: dict[str, str], creating: bool, status: int = 200) -> Any:
    return render_template("admin/faq_form.html", agent=g.agent, form=form, errors=errors, creating=creating,
                           langs=LANGS), status


def _save(form: FaqForm, creating: bool) -> Any:
    result = validate_faq(form)
    if result.record is None:
        return _editor(form, result.errors, creating, 400)
    kb = admin_deps().kb
    entry_id = result.record["id"]
    try:
        if creating and kb.get_entry(entry_id) is not None:
            return _editor(form, {"entry_id": f"An entry {entry_id!r} already exists; pick another id."},
                           creating, 409)
        kb.put_entry(entry_id, result.record)
    except KbUnavailable as exc:
        return _editor(form, {"form": f"Not saved: {exc}"}, creating, 503)
    except KbRejected as exc:
        return _editor(form, {service_field(exc.field): f"Rejected by the knowledge base: {exc.message}"},
                       creating, 400)
    flash(f"Saved {entry_id}; the bot answers with it from now on.", "ok")
    return redirect(url_for("admin.entry", entry_id=entry_id))


@bp.route("/faq/new", methods=["GET", "POST"])
@supervisor_required
def new_faq() -> Any:
    if request.method == "POST":
        return _save(FaqForm.from_post(request.form), creating=True)
    return _editor(prefill_from_miss(request.args), {}, creating=True)


@bp.route("/entries/<entry_id>/edit", methods=["GET", "POST"])
@supervisor_required
def edit_faq(entry_id: str) -> Any:
    record = _entry_or_404(entry_id)
    if record.get("kind") != "faq":
        abort(400, "Only FAQ entries are edited here; products and policies come from their source files.")
    if request.method == "POST":
        posted = FaqForm.from_post(request.form)
        return _save(FaqForm(**{**posted.__dict__, "entry_id": entry_id}), creating=False)
    form = with_paraphrase(FaqForm.from_entry(record), request.args.get("lang", ""),
                           request.args.get("add_paraphrase", ""))
    return _editor(form, {}, creating=False)


@bp.post("/entries/<entry_id>/delete")
@supervisor_required
def delete_faq(entry_id: str) -> Any:
    if _entry_or_404(entry_id).get("kind") != "faq":
        abort(400, "Only FAQ entries are deleted here.")
    try:
        admin_deps().kb.delete_entry(entry_id)
    except KbRejected as exc:
        flash(f"Not deleted: {exc.message}", "err")
        return redirect(url_for("admin.entry", entry_id=entry_id))
    flash(f"Deleted {entry_id}.", "ok")
    return redirect(url_for("admin.entries", kind="faq"))


@bp.get("/retrain")
@supervisor_required
def retrain_status() -> Any:
    return render_template("admin/retrain.html", agent=g.agent, **_retrain_view())


@bp.post("/retrain")
@supervisor_required
def retrain_start() -> Any:
    try:
        job = admin_deps().retrain.start(requested_by=g.agent.username)
    except RetrainBusy as exc:
        flash(str(exc), "err")
        return redirect(url_for("admin.retrain_status"), code=303)
    flash(f"Retraining started (job {job.id}); the bot keeps answering with the current model meanwhile.", "ok")
    return redirect(url_for("admin.retrain_status"), code=303)
