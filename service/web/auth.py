"""API-key authentication for everything the service shows: API, search page, OpenAPI, metrics.

Keys come from the settings (``write_keys``, ``read_keys``; each entry ``name:secret``, split on
the first colon, or a bare secret), sent as ``Authorization: Bearer <secret>``, ``X-API-Key:
<secret>``, or, from a browser, HTTP Basic with the secret as the password. A write key may also
read. Secrets are compared in constant time and never logged; the audit log records the key's name.
With no write key configured, writes are open (local use only; start-up warns); with no read key
configured, reads are open. Only liveness (``/api/v1/healthz``) and the page's static files are
always open.
"""
from __future__ import annotations

import base64
import binascii
import hmac
import logging

from flask import current_app, request

from .problems import ApiProblem


def parse_keys(entries) -> list[tuple[str, str]]:
    if isinstance(entries, str):
        entries = [e for e in entries.split(",") if e.strip()]
    keys = []
    for number, entry in enumerate(entries or [], start=1):
        name, colon, secret = entry.strip().partition(":")
        keys.append((name, secret) if colon else (f"key-{number}", name))
    return keys


def presented_secret() -> str | None:
    header = request.headers.get("Authorization", "")
    if header[:7].lower() == "bearer ":
        return header[7:].strip()
    if header[:6].lower() == "basic ":
        return _basic_password(header[6:].strip())
    return request.headers.get("X-API-Key")


def _basic_password(encoded: str) -> str | None:
    """The password of HTTP Basic credentials (the user name is not used)."""
    try:
        decoded = base64.b64decode(encoded, validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None
    return decoded.partition(":")[2] or None


def _challenge(error: str | None = None) -> dict:
    """Bearer for API clients; Basic too, so that a browser asks for the key on the page."""
    bearer = 'Bearer realm="counterclaim"' + (f', error="{error}"' if error else "")
    return {"WWW-Authenticate": f'{bearer}, Basic realm="counterclaim", charset="UTF-8"'}


def match_key(secret: str, keys: list[tuple[str, str]]) -> str | None:
    """The name of the key equal to ``secret``; every key is compared, in constant time."""
    found = None
    for name, candidate in keys:
        if hmac.compare_digest(secret.encode(), candidate.encode()):
            found = name
    return found


def known_key_name() -> str | None:
    """The name of the configured key (read or write) this request presents; None without one."""
    secret = presented_secret()
    if not secret:
        return None
    settings = current_app.config["COUNTERCLAIM"]
    return match_key(secret, parse_keys(settings.write_keys) + parse_keys(settings.read_keys))


def any_keys_configured() -> bool:
    settings = current_app.config["COUNTERCLAIM"]
    return bool(parse_keys(settings.write_keys) or parse_keys(settings.read_keys))


def check_access(scope: str) -> None:
    settings = current_app.config["COUNTERCLAIM"]
    write_keys, read_keys = parse_keys(settings.write_keys), parse_keys(settings.read_keys)
    needed = write_keys if scope == "write" else write_keys + read_keys
    if scope == "read" and not read_keys:
        return  # reads are open
    if scope == "write" and not write_keys:
        return  # no keys configured: local, open mode
    secret = presented_secret()
    if not secret:
        raise ApiProblem(401, "Unauthorized", "send an API key as 'Authorization: Bearer <key>'",
                         headers=_challenge())
    name = match_key(secret, needed)
    if name is None:
        if scope == "write" and match_key(secret, read_keys):
            raise ApiProblem(403, "Forbidden", "this key may read but not write")
        raise ApiProblem(401, "Unauthorized", "unknown API key", headers=_challenge("invalid_token"))
    request.api_key_name = name


READ_ONLY_POSTS = {"api.compare"}  # POST only because a bulk batch does not fit in a URL
OPEN_ENDPOINTS = {"api.healthz", "api.readyz", "static"}


def authorize_request() -> None:
    """App hook, before every route: writes (POST, PUT, PATCH, DELETE) need a write key, the rest
    (API, page, OpenAPI documents, metrics) a read key. A path that matches no route answers 404."""
    if is_open_request():
        return
    check_access("write" if is_write_request() else "read")


def is_open_request() -> bool:
    """Liveness, readiness, the page's static files, and paths that match no route (they answer 404)."""
    return request.endpoint in OPEN_ENDPOINTS or request.endpoint is None


def is_write_request() -> bool:
    return request.method in {"POST", "PUT", "PATCH", "DELETE"} and request.endpoint not in READ_ONLY_POSTS


def warn_if_writes_are_open(settings) -> None:
    if not parse_keys(settings.write_keys):
        logging.getLogger("counterclaim").warning(
            "no write key configured (COUNTERCLAIM_WRITE_KEYS): anyone who can reach this server can add, "
            "change and retract statements; fine on a laptop, never on a network")
