"""template.yaml follows SCF's template format (TCSAM) and the project's own rules; the validator the
deploy uses rejects each broken rule with a message that names it."""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from deploy.template import TemplateError, load, validate

ROOT = Path(__file__).resolve().parents[1]
TEMPLATE = ROOT / "template.yaml"


def template() -> dict[str, Any]:
    return yaml.safe_load(TEMPLATE.read_text(encoding="utf-8"))


def function(doc: dict[str, Any]) -> dict[str, Any]:
    return doc["Resources"]["default"]["gaap-opener"]


def props(doc: dict[str, Any]) -> dict[str, Any]:
    return function(doc)["Properties"]


def env(doc: dict[str, Any]) -> dict[str, Any]:
    return props(doc)["Environment"]["Variables"]


def timer(doc: dict[str, Any]) -> dict[str, Any]:
    return props(doc)["Events"]["open-at-0800"]["Properties"]


def apigw(doc: dict[str, Any]) -> dict[str, Any]:
    return props(doc)["Events"]["http"]["Properties"]


def test_template_yaml_is_valid() -> None:
    assert validate(template()) == []


def test_template_describes_the_function_as_deployed() -> None:
    spec = load(TEMPLATE)
    assert (spec.namespace, spec.name) == ("default", "gaap-opener")
    assert (spec.handler, spec.runtime, spec.code_uri, spec.kind) == ("index.main_handler", "Python3.10",
                                                                       "./handler", "Event")
    assert (ROOT / spec.code_uri / "index.py").is_file()
    assert 64 <= spec.memory_size <= 3072 and 1 <= spec.timeout <= 900
    assert spec.role
    assert all(name.startswith("GAAP_OPENER_") for name in spec.environment)
    kinds = {t.name: t.kind for t in spec.triggers}
    assert kinds == {"open-at-0800": "Timer", "http": "APIGW"}
    timer_trigger = next(t for t in spec.triggers if t.kind == "Timer")
    assert len(timer_trigger.properties["CronExpression"].split()) == 7
    assert timer_trigger.properties["Message"]  # names the proxies to open


def test_globals_are_applied_under_the_function_properties() -> None:
    doc = template()
    doc["Globals"] = {"Function": {"Timeout": 60, "Environment": {"Variables": {"GAAP_OPENER_LOG_LEVEL": "DEBUG",
                                                                                 "GAAP_OPENER_X": "1"}}}}
    del props(doc)["Timeout"]
    assert validate(doc) == []
    import deploy.template as t

    spec = t.function_spec(doc)
    assert spec.timeout == 60
    assert spec.environment["GAAP_OPENER_X"] == "1"
    assert spec.environment["GAAP_OPENER_LOG_LEVEL"] == "INFO"  # the function's own value wins


def _set(getter: Callable[[dict[str, Any]], dict[str, Any]], key: str, value: Any) -> Callable[[dict[str, Any]], None]:
    def mutate(doc: dict[str, Any]) -> None:
        getter(doc)[key] = value
    return mutate


def _delete(getter: Callable[[dict[str, Any]], dict[str, Any]], key: str) -> Callable[[dict[str, Any]], None]:
    def mutate(doc: dict[str, Any]) -> None:
        del getter(doc)[key]
    return mutate


def _second_function(doc: dict[str, Any]) -> None:
    doc["Resources"]["default"]["other"] = copy.deepcopy(function(doc))


def _events_beside_properties(doc: dict[str, Any]) -> None:
    function(doc)["Events"] = props(doc).pop("Events")


def _big_env(doc: dict[str, Any]) -> None:
    env(doc)["GAAP_OPENER_ALARM_PROXY_MAP"] = "x" * 4000


def _big_message(doc: dict[str, Any]) -> None:
    timer(doc)["Message"] = "link-1a2b3c4d," * 400


# (rule, how to break it, a fragment of the message that names it)
BROKEN = [
    ("top-level keys", lambda d: d.update(Outputs={}), "unknown top-level key 'Outputs'"),
    ("namespace type", _set(lambda d: d["Resources"]["default"], "Type", "TencentCloud::Serverless::Space"),
     "Type must be TencentCloud::Serverless::Namespace"),
    ("function type", _set(function, "Type", "TencentCloud::Serverless::Api"),
     "Type must be TencentCloud::Serverless::Function"),
    ("function keys", _events_beside_properties, "Events go inside Properties"),
    ("function name", lambda d: d["Resources"]["default"].update({"gaap-opener-": d["Resources"]["default"].pop(
        "gaap-opener")}), "function name 'gaap-opener-'"),
    ("one function", _second_function, "exactly one function, found 2"),
    ("unknown property", _set(props, "Layers", ["x"]), "unknown property 'Layers'"),
    ("required Handler", _delete(props, "Handler"), "Handler is required"),
    ("required Runtime", _delete(props, "Runtime"), "Runtime is required"),
    ("required CodeUri", _delete(props, "CodeUri"), "CodeUri is required"),
    ("runtime values", _set(props, "Runtime", "Python3.8"), "'Python3.8' is not an SCF runtime"),
    ("project runtime", _set(props, "Runtime", "Python3.9"), "must be Python3.10"),
    ("handler form", _set(props, "Handler", "index.main_handler_"), "must be file.function"),
    ("project handler", _set(props, "Handler", "app.handler"), "Handler must be index.main_handler"),
    ("project code uri", _set(props, "CodeUri", "./src"), "CodeUri must be ./handler"),
    ("function kind", _set(props, "Type", "Web"), "Type 'Web' must be Event or HTTP"),
    ("memory minimum", _set(props, "MemorySize", 32), "MemorySize 32 must be 64, or 128 to 3072"),
    ("memory maximum", _set(props, "MemorySize", 3200), "MemorySize 3200"),
    ("memory steps", _set(props, "MemorySize", 200), "in steps of 128"),
    ("timeout minimum", _set(props, "Timeout", 0), "Timeout 0 must be a whole number of seconds from 1 to 900"),
    ("timeout maximum", _set(props, "Timeout", 901), "Timeout 901"),
    ("description characters", _set(props, "Description", "Opens proxies (safely)"),
     "Description may hold only"),
    ("project role", _delete(props, "Role"), "Role is required"),
    ("environment shape", _set(props, "Environment", {"Vars": {}}), "exactly one key, Variables"),
    ("reserved SCF_", _set(env, "SCF_REGION", "x"), "SCF_REGION uses a prefix SCF reserves"),
    ("reserved QCLOUD_", _set(env, "QCLOUD_X", "x"), "QCLOUD_X uses a prefix SCF reserves"),
    ("reserved TENCENTCLOUD_", _set(env, "TENCENTCLOUD_SECRETID", "x"), "uses a prefix SCF reserves"),
    ("project env prefix", _set(env, "LOG_LEVEL", "INFO"), "LOG_LEVEL must start with GAAP_OPENER_"),
    ("env name form", _set(env, "GAAP_OPENER-X", "1"), "must be letters, digits and _"),
    ("env values are strings", _set(env, "GAAP_OPENER_BATCH_SIZE", 100), "must be a string (quote it"),
    ("env size", _big_env, "over SCF's 4096-byte limit"),
    ("trigger kinds", _set(lambda d: props(d)["Events"]["http"], "Type", "HTTP"), "'HTTP' is not a trigger kind"),
    ("trigger keys", _set(lambda d: props(d)["Events"]["http"], "Qualifier", "$LATEST"),
     "unknown key 'Qualifier'"),
    ("timer properties", _set(timer, "Cron", "0 0 8 * * * *"), "Timer trigger has no property 'Cron'"),
    ("timer requires cron", _delete(timer, "CronExpression"), "Timer trigger requires CronExpression"),
    ("cron has 7 fields", _set(timer, "CronExpression", "0 8 * * *"), "must have 7 fields"),
    ("timer enable", _set(timer, "Enable", "yes"), "Enable 'yes' must be one of"),
    ("timer message size", _big_message, "Message is over SCF's 4096-byte limit"),
    ("timer name", lambda d: props(d)["Events"].update({"open at 8": props(d)["Events"].pop("open-at-0800")}),
     "timer name 'open at 8'"),
    ("apigw stage", _set(apigw, "StageName", "prod"), "StageName 'prod' must be one of test, prepub, release"),
    ("apigw method", _set(apigw, "HttpMethod", "PATCH"), "HttpMethod 'PATCH' must be one of"),
    ("apigw integrated response", _set(apigw, "IntegratedResponse", "TRUE"), "IntegratedResponse 'TRUE'"),
    ("cos requires bucket and events", _set(props, "Events", {"up": {"Type": "COS", "Properties": {}}}),
     "COS trigger requires Bucket"),
    ("cmq requires name", _set(props, "Events", {"q": {"Type": "CMQ", "Properties": {}}}),
     "CMQ trigger requires Name"),
    ("ckafka requires name, topic, max", _set(props, "Events", {"k": {"Type": "Ckafka", "Properties": {
        "Name": "ckafka-1"}}}), "Ckafka trigger requires MaxMsgNum"),
]


@pytest.mark.parametrize(("rule", "breaking", "message"), BROKEN, ids=[b[0] for b in BROKEN])
def test_the_validator_rejects_each_broken_rule(rule: str, breaking: Callable[[dict[str, Any]], None],
                                                message: str) -> None:
    doc = template()
    breaking(doc)
    problems = validate(doc)
    assert any(message in problem for problem in problems), f"{rule}: {problems}"


def test_load_raises_with_every_problem_listed(tmp_path: Path) -> None:
    doc = template()
    props(doc)["Timeout"] = 0
    props(doc)["MemorySize"] = 100
    broken = tmp_path / "template.yaml"
    broken.write_text(yaml.safe_dump(doc), encoding="utf-8")
    with pytest.raises(TemplateError) as raised:
        load(broken)
    assert len(raised.value.problems) == 2
    assert "Timeout 0" in str(raised.value) and "MemorySize 100" in str(raised.value)
