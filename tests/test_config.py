"""Configuration: empty means unset, the contract's booleans and lists, and odd values reported by name."""

from __future__ import annotations

from typing import Any

import pytest
from conftest import invoke
from gaap_opener.config import load_settings
from gaap_opener.errors import ConfigError

A = "link-aaaaaaaa"


@pytest.mark.parametrize("name", ["GAAP_OPENER_ALLOWED_PROXY_IDS", "GAAP_OPENER_DRY_RUN", "GAAP_OPENER_BATCH_SIZE",
                                  "GAAP_OPENER_ENDPOINT", "GAAP_OPENER_CALLBACK_URL", "GAAP_OPENER_LOG_LEVEL",
                                  "GAAP_OPENER_WAIT_SECONDS", "GAAP_OPENER_ALARM_PROXY_MAP"])
@pytest.mark.parametrize("empty", ["", "   ", "\t"])
def test_empty_means_unset(name: str, empty: str) -> None:
    assert load_settings({name: empty}) == load_settings({})


@pytest.mark.parametrize(("text", "value"), [("true", True), ("TRUE", True), ("1", True), ("yes", True), ("On", True),
                                             ("false", False), ("0", False), ("no", False), ("OFF", False)])
def test_booleans(text: str, value: bool) -> None:
    assert load_settings({"GAAP_OPENER_DRY_RUN": text}).dry_run is value


def test_unknown_boolean_is_an_error_not_a_silent_false() -> None:
    with pytest.raises(ConfigError, match=r"GAAP_OPENER_DRY_RUN='maybe'.*true/1/yes/on"):
        load_settings({"GAAP_OPENER_DRY_RUN": "maybe"})


def test_lists_are_comma_or_whitespace_separated() -> None:
    settings = load_settings({"GAAP_OPENER_PROXY_IDS": " link-bbbbbbbb,link-aaaaaaaa\nlink-bbbbbbbb "})
    assert settings.proxy_ids == ("link-aaaaaaaa", "link-bbbbbbbb")


def test_namespace_defaults_to_the_function_name() -> None:
    assert load_settings({}, "my-func").token_namespace == "my-func"
    assert load_settings({}).token_namespace == "gaap-opener"
    assert load_settings({"GAAP_OPENER_TOKEN_NAMESPACE": "prod"}, "my-func").token_namespace == "prod"


def test_repr_of_settings_hides_secrets() -> None:
    settings = load_settings({"GAAP_OPENER_CALLBACK_SECRET": "s3cr3t-value", "GAAP_OPENER_API_TOKEN_SHA256": "a" * 64,
                              "GAAP_OPENER_CALLBACK_URL": "https://u:pw-value@hooks.example.com/T000/B000"})
    text = repr(settings)
    assert "s3cr3t-value" not in text and "a" * 64 not in text and "pw-value" not in text and "T000" not in text


@pytest.mark.parametrize(("env", "fragment"), [
    ({"GAAP_OPENER_LOG_LEVEL": "verbose"}, "GAAP_OPENER_LOG_LEVEL='VERBOSE'"),
    ({"GAAP_OPENER_BATCH_SIZE": "²"}, "GAAP_OPENER_BATCH_SIZE='²'"),
    ({"GAAP_OPENER_BATCH_SIZE": "0"}, "from 1 to 100"),
    ({"GAAP_OPENER_BATCH_SIZE": "101"}, "from 1 to 100"),
    ({"GAAP_OPENER_WAIT_SECONDS": "nan"}, "GAAP_OPENER_WAIT_SECONDS='nan'"),
    ({"GAAP_OPENER_ENDPOINT": "ftp://gaap.example.com"}, "GAAP_OPENER_ENDPOINT"),
    ({"GAAP_OPENER_ENDPOINT": "http://127.0.0.1:99999"}, "GAAP_OPENER_ENDPOINT"),
    ({"GAAP_OPENER_ENDPOINT": "https://gaap.example.com/some/path"}, "without a path"),
    ({"GAAP_OPENER_ALARM_PROXY_MAP": "[1]"}, "GAAP_OPENER_ALARM_PROXY_MAP"),
    ({"GAAP_OPENER_ALARM_PROXY_MAP": '{"p": ["nope"]}'}, "'nope' is not a valid proxy ID"),
    ({"GAAP_OPENER_API_AUTH": "sometimes"}, "'token' or 'none'"),
    ({"GAAP_OPENER_API_TOKEN_SHA256": "abc"}, "64 hex digits"),
    ({"GAAP_OPENER_PROXY_IDS": "link-aaaaaaaa,bad"}, "'bad' is not a valid proxy ID"),
    ({"GAAP_OPENER_CALLBACK_URL": "http://hooks.example.com/x"}, "must be https"),
    ({"GAAP_OPENER_CALLBACK_URL": "https://u:pw@[::1"}, "GAAP_OPENER_CALLBACK_URL"),
    ({"GAAP_OPENER_CALLBACK_URL": "https://user:pw@a..b/hook"}, "GAAP_OPENER_CALLBACK_URL"),
])
def test_unusable_values_are_reported_by_name_on_every_path(gaap: Any, env: dict[str, str], fragment: str) -> None:
    for event in ({"ProxyIds": [A]}, {"ProxyIds": [A], "DryRun": True}):
        result = invoke(event, env=env)
        assert result["status"] == "failed" and result["error"]["code"] == "InvalidConfiguration"
        assert result["error"]["retryable"] is False and fragment in result["error"]["message"]
        assert "pw" not in result["error"]["message"]
    assert gaap.requests == []


def test_configuration_errors_are_not_shown_to_unauthenticated_http_callers(gaap: Any) -> None:
    answer = invoke({"httpMethod": "POST", "headers": {}, "body": "{}"},
                    env={"GAAP_OPENER_ALLOWED_PROXY_IDS": "link-secret00,oops"})
    assert answer["statusCode"] == 500
    assert "link-secret00" not in answer["body"] and "misconfigured" in answer["body"]


def test_allowed_callback_hosts_take_names_not_ports(gaap: Any) -> None:
    result = invoke({"ProxyIds": [A]}, env={"GAAP_OPENER_CALLBACK_ALLOWED_HOSTS": "hooks.example.com 127.0.0.1:8080"})
    assert result["error"]["code"] == "InvalidConfiguration"
    assert "'127.0.0.1:8080': list host names only" in result["error"]["message"]
    assert load_settings({"GAAP_OPENER_CALLBACK_ALLOWED_HOSTS": "::1, Hooks.Example.com"}).callback_allowed_hosts == {
        "::1", "hooks.example.com"}
