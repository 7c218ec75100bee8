"""Flask app factory: binds the store, clients, limiter and blueprints; starts the retry loop."""

from __future__ import annotations

import logging
import secrets
import threading
from datetime import timedelta
from typing import Any

from flask import Flask, jsonify
from flask_wtf.csrf import CSRFProtect

from handoff.clients.kb import KbApi, KbClient
from handoff.clients.rasa import RasaApi, RasaClient
from handoff.clients.shop import ShopApi, open_shop
from handoff.config import BridgeConfig, load_config
from handoff.decision import Assessor, load_assessor
from handoff.errors import register_error_handlers
from handoff.live import Notifier
from handoff.masking import install_log_masking
from handoff.ratelimit import MemoryRateLimiter, RateLimiter, RedisRateLimiter
from handoff.services import Services
from handoff.store.db import make_engine, upgrade
from handoff.store.repo import Store
from handoff.worker import RetryLoop

log = logging.getLogger(__name__)
_UNSET: Any = object()


def build_services(config: BridgeConfig, *, rasa: RasaApi | None = None, kb: KbApi | None = None,
                   shop: ShopApi | None = _UNSET, assessor: Assessor | None = None,
                   limiter: RateLimiter | None = None, notifier: Notifier | None = None,
                   store: Store | None = None) -> Services:
    """Real clients unless handed in; the schema is upgraded on the way."""
    if store is None:
        store = Store(make_engine(config.database_url))
        upgrade(store.engine)
    redis_client = None
    if config.redis_url and (limiter is None or notifier is None):
        import redis

        redis_client = redis.Redis.from_url(config.redis_url)
    return Services(
        config=config, store=store,
        rasa=rasa or RasaClient(config.rasa_url, config.rasa_token, config.action_server_url,
                                config.rasa_timeout, config.health_timeout),
        kb=kb or KbClient(config.kb_url),
        shop=open_shop(config.shop_database_url) if shop is _UNSET else shop,
        assessor=assessor or load_assessor(),
        notifier=notifier or Notifier(redis_client),
        limiter=limiter or (RedisRateLimiter(redis_client) if redis_client is not None else MemoryRateLimiter()),
    )


def create_app(config: BridgeConfig | None = None, services: Services | None = None, **clients: Any) -> Flask:
    config = config or (services.config if services else load_config())
    svc = services or build_services(config, **clients)
    app = Flask(__name__)
    secret = config.secret_key
    if not secret:
        secret = secrets.token_urlsafe(32)
        if not config.testing:
            log.warning("FLASK_SECRET_KEY is not set: sessions end when the bridge restarts")
    app.config.update(SECRET_KEY=secret, TESTING=config.testing, MAX_CONTENT_LENGTH=64 * 1024,
                      SESSION_COOKIE_HTTPONLY=True, SESSION_COOKIE_SAMESITE="Lax",
                      PERMANENT_SESSION_LIFETIME=timedelta(hours=12), WTF_CSRF_TIME_LIMIT=12 * 3600,
                      JSON_AS_ASCII=False)
    app.json.ensure_ascii = False  # type: ignore[attr-defined]
    app.extensions["handoff"] = svc
    csrf = CSRFProtect(app)
    register_error_handlers(app)
    install_log_masking()

    from handoff.web import admin, auth, console, customer_api, internal_api

    for bp in (customer_api.bp, internal_api.bp):
        csrf.exempt(bp)  # token-authenticated, not cookie-authenticated
        app.register_blueprint(bp)
    app.register_blueprint(auth.bp)
    app.register_blueprint(console.bp)
    app.register_blueprint(admin.bp)

    @app.get("/health")
    def health() -> Any:
        return jsonify({"status": "ok", "last_seq": svc.store.last_seq()})

    @app.get("/")
    def index() -> Any:
        return ('<p><a href="/chat">Customer chat</a> · <a href="/console/">Agent console</a></p>', 200)

    if config.run_worker and not config.testing:
        svc.notifier.start_redis_listener()
        loop = RetryLoop(svc)
        app.extensions["handoff_worker"] = loop
        threading.Thread(target=loop.run_forever, name="handoff-retry", daemon=True).start()
    return app
