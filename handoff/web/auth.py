"""Agent login (hashed passwords, sessions, CSRF-protected form) and the login_required guard."""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import timedelta
from typing import Any, TypeVar

from flask import Blueprint, g, redirect, render_template, request, session, url_for
from flask_wtf import FlaskForm
from werkzeug.security import check_password_hash, generate_password_hash
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, Length

from handoff import agent_ops
from handoff.errors import ApiError
from handoff.store.records import Agent
from handoff.store.repo import Store
from handoff.web.common import rate_limit, services

bp = Blueprint("auth", __name__, url_prefix="/console")
F = TypeVar("F", bound=Callable[..., Any])
ROLES = ("agent", "supervisor")
_DUMMY_HASH = generate_password_hash("timing-equaliser")


class LoginForm(FlaskForm):
    username = StringField("Username", validators=[DataRequired(), Length(max=64)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=128)])


def create_agent(store: Store, username: str, password: str, role: str, display_name: str | None = None) -> Agent:
    if role not in ROLES:
        raise ValueError(f"role must be one of {ROLES}")
    if not username or len(username) > 64 or len(password) < 8:
        raise ValueError("username 1-64 characters, password at least 8")
    return store.create_agent(username, display_name or username, generate_password_hash(password), role)


def current_agent() -> Agent | None:
    agent_id = session.get("agent_id")
    if not isinstance(agent_id, int):
        return None
    svc = services()
    agent = svc.store.agent(agent_id)
    if agent is not None:
        now = svc.clock()
        if agent.last_seen_at is None or now - agent.last_seen_at > timedelta(seconds=10):
            svc.store.touch_agent(agent.id, now)
    return agent


def login_required(view: F) -> F:
    """Pages redirect to the login form; the console's JSON API answers 401."""

    @functools.wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        agent = current_agent()
        if agent is None:
            if request.path.startswith("/console/api/"):
                raise ApiError(401, "login_required", "log in to the console first")
            return redirect(url_for("auth.login", next=request.path))
        g.agent = agent
        return view(*args, **kwargs)

    return wrapped  # type: ignore[return-value]


@bp.route("/login", methods=["GET", "POST"])
def login() -> Any:
    form = LoginForm()
    error = None
    if form.validate_on_submit():
        rate_limit("login")
        agent = services().store.agent_by_username(form.username.data or "")
        ok = check_password_hash(agent.password_hash if agent else _DUMMY_HASH, form.password.data or "")
        if agent is not None and ok:
            session.clear()
            session["agent_id"] = agent.id
            session.permanent = True
            services().store.touch_agent(agent.id)
            target = request.args.get("next", "")
            return redirect(target if target.startswith("/console") else url_for("console.queue_page"))
        error = "Wrong username or password."
    elif request.method == "POST":
        error = "The form expired or was incomplete; please try again."
    return render_template("console/login.html", form=form, error=error), (401 if error else 200)


@bp.route("/logout", methods=["POST"])
def logout() -> Any:
    agent = current_agent()
    if agent is not None:  # their unanswered customers go back to the queue, where the bot answers again
        agent_ops.release_all(services(), agent)
    session.clear()
    return redirect(url_for("auth.login"))
