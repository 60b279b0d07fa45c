"""Property: whatever arrives, main_handler answers with a well-formed result (or an HTTP answer
carrying one) and raises nothing. Thousands of arbitrary JSON values and event-like dicts."""

from __future__ import annotations

import json
from typing import Any

from conftest import FAKE_ENV, scf_context
from gaap_opener.app import handle
from gaap_opener.schema import ResultDocument as Result
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fakegaap import mock_gaap

HTTP_CODES = {200, 207, 400, 401, 403, 405, 413, 422, 500, 502, 503}
FIELDS = [
    "ProxyIds", "InstanceIds", "EventId", "DryRun", "WaitSeconds", "CallbackUrl",
    "Type", "TriggerName", "Time", "Message",
    "httpMethod", "headers", "body", "isBase64Encoded", "requestContext", "path", "queryString",
    "alarmStatus", "alarmType", "alarmPolicyInfo", "alarmObjInfo", "firstOccurTime", "sessionId",
    "specversion", "type", "data", "id", "status", "source",
]
ENVS = [
    {},
    {"GAAP_OPENER_PROXY_IDS": "link-aaaaaaaa,link-bbbbbbbb", "GAAP_OPENER_API_AUTH": "none"},
    {"GAAP_OPENER_ALARM_PROXY_MAP": '{"*": ["link-cccccccc"]}', "GAAP_OPENER_API_AUTH": "none",
     "GAAP_OPENER_ALLOWED_PROXY_IDS": "link-cccccccc"},
    {"GAAP_OPENER_DRY_RUN": "true", "GAAP_OPENER_PROXY_IDS": "link-aaaaaaaa", "GAAP_OPENER_API_AUTH": "none"},
]

scalars = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20)
json_values = st.recursive(
    scalars, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
    max_leaves=12,
)
proxy_ids = st.from_regex(r"link-[a-z0-9]{8}", fullmatch=True)
plausible = st.one_of(
    json_values,
    proxy_ids,
    st.lists(proxy_ids | st.text(max_size=14), max_size=4),
    st.sampled_from(["Timer", "POST", "GET", "1", "0", 1, 0, "1.0", "true", "", "2026-11-28 08:00:00"]),
    st.fixed_dictionaries({}, optional={"policyId": st.text(max_size=12) | st.integers(),
                                         "Authorization": st.text(max_size=20),
                                         "ProxyIds": st.lists(proxy_ids, max_size=3)}),
    json_values.map(json.dumps),
)
event_like = st.dictionaries(st.sampled_from(FIELDS), plausible, max_size=8)


def assert_well_formed(answer: Any) -> None:
    assert isinstance(answer, dict)
    if "statusCode" in answer:
        assert answer["statusCode"] in HTTP_CODES
        assert answer["headers"] == {"Content-Type": "application/json"} and answer["isBase64Encoded"] is False
        document = json.loads(answer["body"])
    else:
        document = answer
    result = Result.model_validate(document)
    assert result.schema_ == "gaap-opener/result/v1"
    assert (result.error is None) == (result.status in ("succeeded", "skipped", "dry_run"))
    assert set(result.opened) <= set(result.requested)


def run(event: Any, env: dict[str, str]) -> None:
    with mock_gaap(rate_limit=None):
        answer = handle(event, scf_context(), environ={**FAKE_ENV, **env}, sleep=lambda s: None)
    assert_well_formed(answer)


@settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(json_values, st.sampled_from(ENVS))
def test_any_json_value_gets_a_well_formed_answer(event: Any, env: dict[str, str]) -> None:
    run(event, env)


@settings(max_examples=2500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(event_like, st.sampled_from(ENVS))
def test_any_event_like_dict_gets_a_well_formed_answer(event: dict[str, Any], env: dict[str, str]) -> None:
    run(event, env)
