"""API-key authentication for the JSON API.

Keys come from the settings (``write_keys``, ``read_keys``; each entry ``name:secret`` or a
bare secret), sent as ``Authorization: Bearer <secret>`` or ``X-API-Key: <secret>``. A write
key may also read. Secrets are compared in constant time and never logged; the audit log
records the key's name. With no write key configured, writes are open (local use only); with
no read key configured, reads are open.
"""
from __future__ import annotations

import hmac

from flask import current_app, request

from .problems import ApiProblem


def parse_keys(entries) -> list[tuple[str, str]]:
    if isinstance(entries, str):
        entries = [e for e in entries.split(",") if e.strip()]
    keys = []
    for number, entry in enumerate(entries or [], start=1):
        name, _, secret = entry.strip().rpartition(":")
        keys.append((name or f"key-{number}", secret))
    return keys


def presented_secret() -> str | None:
    header = request.headers.get("Authorization", "")
    if header[:7].lower() == "bearer ":
        return header[7:].strip()
    return request.headers.get("X-API-Key")


def match_key(secret: str, keys: list[tuple[str, str]]) -> str | None:
    """The name of the key equal to ``secret``; every key is compared, in constant time."""
    found = None
    for name, candidate in keys:
        if hmac.compare_digest(secret.encode(), candidate.encode()):
            found = name
    return found


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
                         headers={"WWW-Authenticate": 'Bearer realm="counterclaim"'})
    name = match_key(secret, needed)
    if name is None:
        if scope == "write" and match_key(secret, read_keys):
            raise ApiProblem(403, "Forbidden", "this key may read but not write")
        raise ApiProblem(401, "Unauthorized", "unknown API key",
                         headers={"WWW-Authenticate": 'Bearer realm="counterclaim", error="invalid_token"'})
    request.api_key_name = name


READ_ONLY_POSTS = {"api.compare"}  # POST only because a bulk batch does not fit in a URL
OPEN_ENDPOINTS = {"api.healthz"}


def authorize_request() -> None:
    """Blueprint hook: writes (POST, PUT, PATCH, DELETE) need a write key, the rest a read key."""
    if request.endpoint in OPEN_ENDPOINTS:
        return
    is_write = request.method in {"POST", "PUT", "PATCH", "DELETE"} and request.endpoint not in READ_ONLY_POSTS
    check_access("write" if is_write else "read")
