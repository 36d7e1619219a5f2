"""Settings: the environment is read in one place, validated, and explicit arguments win."""
from __future__ import annotations

import pydantic
import pytest

from service.settings import load_settings


def test_environment_then_arguments(monkeypatch, tmp_path):
    monkeypatch.setenv("COUNTERCLAIM_SCORER", "nli")
    monkeypatch.setenv("COUNTERCLAIM_CANDIDATES_K", "7")
    settings = load_settings(scorer="cues")
    assert settings.scorer == "cues" and settings.candidates_k == 7
    assert settings.replace(data_dir=tmp_path).data_dir == tmp_path and settings.replace().candidates_k == 7


@pytest.mark.parametrize("raw, keys", [('["desk:a", "web:b"]', ["desk:a", "web:b"]), ("desk:a, web:b", ["desk:a", "web:b"]),
                                       ("", [])])
def test_keys_as_json_or_comma_separated(monkeypatch, raw, keys):
    monkeypatch.setenv("COUNTERCLAIM_WRITE_KEYS", raw)
    assert load_settings().write_keys == keys


@pytest.mark.parametrize("name, value", [("COUNTERCLAIM_PG_POOL_MAX", "ten"), ("COUNTERCLAIM_PG_POOL_MAX", "0"),
                                         ("COUNTERCLAIM_TOPIC_K", "-1")])
def test_a_bad_value_stops_start_up_with_its_name(monkeypatch, name, value):
    monkeypatch.setenv(name, value)
    with pytest.raises(pydantic.ValidationError, match=name.removeprefix("COUNTERCLAIM_").lower()):
        load_settings()


def test_unknown_argument_is_refused():
    with pytest.raises(pydantic.ValidationError):
        load_settings(scorrer="cues")


def test_a_url_that_is_not_postgresql_is_refused(tmp_path):
    from service.storage import open_storage

    with pytest.raises(ValueError, match="postgresql"):
        open_storage(load_settings(data_dir=tmp_path, database_url="mysql://x/y"), "all-MiniLM-L6-v2", 384)
