"""python -m deploy against a fake SCF API (tests/fakescf.py, through `responses`): what it sends and
in what order, that it changes only what differs, that a dry run changes nothing, and rollback."""

from __future__ import annotations

import base64
import io
import os
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from fakescf import ScfBackend, mock_scf

from deploy.__main__ import main
from deploy.packages import content_sha256

ROOT = Path(__file__).resolve().parents[1]
REGION = "ap-guangzhou"
SECRET_ID = "AKIDfakeDeployerId0000"
SECRET_KEY = "fakeDeployerSecretKey0000"
CALLBACK_SECRET = "fakeCallbackSecret0000"

READS_OF_A_DEPLOYED_FUNCTION = ["ListNamespaces", "ListLayerVersions", "GetFunction", "ListVersionByFunction",
                                "GetAlias", "ListTriggers"]


@pytest.fixture(autouse=True)
def deployer_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TENCENTCLOUD_SECRET_ID", SECRET_ID)
    monkeypatch.setenv("TENCENTCLOUD_SECRET_KEY", SECRET_KEY)
    monkeypatch.setenv("TENCENTCLOUD_REGION", REGION)
    for name in [n for n in os.environ if n.startswith("GAAP_OPENER_")]:  # the deploy reads these
        monkeypatch.delenv(name)


@pytest.fixture
def scf() -> Iterator[ScfBackend]:
    with mock_scf() as backend:
        yield backend


def write_zip(path: Path, files: dict[str, str]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w") as archive:
        for name, text in files.items():
            archive.writestr(name, text)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A template (the real one, with a callback secret added) and two small stand-in zips."""
    doc = yaml.safe_load((ROOT / "template.yaml").read_text(encoding="utf-8"))
    doc["Resources"]["default"]["gaap-opener"]["Properties"]["Environment"]["Variables"][
        "GAAP_OPENER_CALLBACK_SECRET"] = CALLBACK_SECRET
    save_template(tmp_path, doc)
    write_zip(tmp_path / "dist" / "function.zip", {"index.py": "def main_handler(event, context):\n    pass\n"})
    write_zip(tmp_path / "dist" / "layer.zip", {"tencentcloud/__init__.py": "", "requests/__init__.py": ""})
    return tmp_path


def template_of(project: Path) -> dict[str, Any]:
    return yaml.safe_load((project / "template.yaml").read_text(encoding="utf-8"))


def save_template(project: Path, doc: dict[str, Any]) -> None:
    (project / "template.yaml").write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")


def properties(doc: dict[str, Any]) -> dict[str, Any]:
    return doc["Resources"]["default"]["gaap-opener"]["Properties"]


def deploy(project: Path, *args: str) -> tuple[int, str]:
    out = io.StringIO()
    code = main(["--template", str(project / "template.yaml"), "--dist", str(project / "dist"), *args],
                out=out, sleep=lambda seconds: None)
    return code, out.getvalue()


def deploy_since(scf: ScfBackend, project: Path, *args: str) -> tuple[int, str, list[str], list[str]]:
    """Deploy; return its exit code, output, and the actions and writes of this run alone."""
    seen = len(scf.requests)
    code, output = deploy(project, *args)
    actions = [action for action, _ in scf.requests[seen:]]
    writes = [a for a in actions if not a.startswith(("Get", "List"))]
    return code, output, actions, writes


def test_first_run_publishes_the_layer_creates_the_function_then_releases_and_wires_triggers(
        scf: ScfBackend, project: Path) -> None:
    code, output, actions, _ = deploy_since(scf, project)
    assert code == 0, output
    assert actions == [
        "ListNamespaces", "ListLayerVersions", "GetFunction",       # what is there: nothing yet
        "PublishLayerVersion", "GetLayerVersion", "GetLayerVersion",  # the layer, then wait for Active
        "CreateFunction", "GetFunction", "GetFunction",            # the function, then wait for Active
        "PublishVersion", "GetFunction", "GetFunction",            # version 1 freezes it
        "CreateAlias",                                             # "live" -> 1
        "CreateTrigger", "CreateTrigger", "CreateTrigger",         # timer, API Gateway, function URL
    ]
    layer = scf.params("PublishLayerVersion")[0]
    assert layer["LayerName"] == "gaap-opener-deps" and layer["CompatibleRuntimes"] == ["Python3.10"]
    assert base64.b64decode(layer["Content"]["ZipFile"]) == (project / "dist" / "layer.zip").read_bytes()
    assert content_sha256(project / "dist" / "layer.zip") in layer["Description"]

    created = scf.params("CreateFunction")[0]
    assert {k: created[k] for k in ("FunctionName", "Namespace", "Handler", "Runtime", "Type", "MemorySize",
                                    "Timeout", "Role")} == {
        "FunctionName": "gaap-opener", "Namespace": "default", "Handler": "index.main_handler",
        "Runtime": "Python3.10", "Type": "Event", "MemorySize": 64, "Timeout": 30, "Role": "gaap-opener-role"}
    assert base64.b64decode(created["Code"]["ZipFile"]) == (project / "dist" / "function.zip").read_bytes()
    assert created["Description"].endswith(f"content sha256 {content_sha256(project / 'dist' / 'function.zip')}.")
    assert created["Layers"] == [{"LayerName": "gaap-opener-deps", "LayerVersion": 1}]
    variables = {v["Key"]: v["Value"] for v in created["Environment"]["Variables"]}
    assert "GAAP_OPENER_PROXY_IDS" not in variables  # empty means unset: not sent (SCF refuses empty values)
    assert variables["GAAP_OPENER_ALLOWED_PROXY_IDS"] == "link-1a2b3c4d,link-5e6f7a8b"

    assert scf.params("CreateAlias") == [{"FunctionName": "gaap-opener", "Namespace": "default", "Name": "live",
                                          "FunctionVersion": "1"}]
    timer, apigw, url = scf.params("CreateTrigger")
    assert (timer["Type"], timer["TriggerName"], timer["TriggerDesc"], timer["CustomArgument"], timer["Enable"],
            timer["Qualifier"]) == ("timer", "open-at-0800", "0 0 8 * * * *", "link-1a2b3c4d,link-5e6f7a8b",
                                    "OPEN", "live")
    assert apigw["Type"] == "apigw" and '"method":"POST"' in apigw["TriggerDesc"]
    assert '"isIntegratedResponse":"TRUE"' in apigw["TriggerDesc"] and apigw["Qualifier"] == "live"
    assert url["Type"] == "http" and url["Qualifier"] == "live"
    assert url["TriggerDesc"] == '{"AuthType":"NONE","NetConfig":{"EnableExtranet":true,"EnableIntranet":false}}'
    assert "Published version 1" in output


def test_a_second_run_with_nothing_changed_only_reads(scf: ScfBackend, project: Path) -> None:
    deploy(project)
    code, output, actions, writes = deploy_since(scf, project)
    assert code == 0
    assert writes == []
    assert actions == READS_OF_A_DEPLOYED_FUNCTION
    assert "nothing to change" in output


def test_a_changed_variable_updates_only_the_configuration_then_releases(scf: ScfBackend, project: Path) -> None:
    deploy(project)
    doc = template_of(project)
    properties(doc)["Environment"]["Variables"]["GAAP_OPENER_LOG_LEVEL"] = "DEBUG"
    save_template(project, doc)
    code, output, _, writes = deploy_since(scf, project)
    assert code == 0, output
    assert writes == ["UpdateFunctionConfiguration", "PublishVersion", "UpdateAlias"]
    update = scf.params("UpdateFunctionConfiguration")[-1]
    assert set(update) == {"FunctionName", "Namespace", "Environment"}
    assert {"Key": "GAAP_OPENER_LOG_LEVEL", "Value": "DEBUG"} in update["Environment"]["Variables"]
    assert scf.function().aliases["live"] == "2"
    assert "Environment (GAAP_OPENER_LOG_LEVEL)" in output


def test_changed_code_updates_the_code_but_not_the_layer(scf: ScfBackend, project: Path) -> None:
    deploy(project)
    write_zip(project / "dist" / "function.zip", {"index.py": "def main_handler(event, context):\n    return 2\n"})
    code, output, _, writes = deploy_since(scf, project)
    assert code == 0, output
    # The code, then its hash in the Description (where the next deploy reads it), then the release.
    assert writes == ["UpdateFunctionCode", "UpdateFunctionConfiguration", "PublishVersion", "UpdateAlias"]
    assert set(scf.params("UpdateFunctionConfiguration")[-1]) == {"FunctionName", "Namespace", "Description"}
    assert scf.function().code == (project / "dist" / "function.zip").read_bytes()


def test_changed_requirements_publish_a_new_layer_and_bind_it(scf: ScfBackend, project: Path) -> None:
    deploy(project)
    write_zip(project / "dist" / "layer.zip", {"tencentcloud/__init__.py": "", "requests/__init__.py": "# 2.35\n"})
    code, output, _, writes = deploy_since(scf, project)
    assert code == 0, output
    assert writes == ["PublishLayerVersion", "UpdateFunctionConfiguration", "PublishVersion", "UpdateAlias"]
    assert scf.params("UpdateFunctionConfiguration")[-1]["Layers"] == [{"LayerName": "gaap-opener-deps",
                                                                       "LayerVersion": 2}]


def test_a_rebuilt_but_identical_layer_is_not_published_again(scf: ScfBackend, project: Path) -> None:
    deploy(project)
    # Same files, other timestamps and compression: other bytes, same content.
    with zipfile.ZipFile(project / "dist" / "layer.zip", "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(zipfile.ZipInfo("requests/__init__.py", (2001, 2, 3, 4, 5, 6)), "")
        archive.writestr(zipfile.ZipInfo("tencentcloud/__init__.py", (2001, 2, 3, 4, 5, 6)), "")
    _, _, _, writes = deploy_since(scf, project)
    assert writes == []


def test_a_changed_schedule_updates_only_the_timer(scf: ScfBackend, project: Path) -> None:
    deploy(project)
    doc = template_of(project)
    properties(doc)["Events"]["open-at-0800"]["Properties"]["CronExpression"] = "0 30 7 * * * *"
    save_template(project, doc)
    code, output, _, writes = deploy_since(scf, project)
    assert code == 0, output
    assert writes == ["UpdateTrigger"]
    assert scf.params("UpdateTrigger")[-1]["TriggerDesc"] == "0 30 7 * * * *"
    _, _, _, writes = deploy_since(scf, project)
    assert writes == []  # the timer's cron, read back from ListTriggers, now matches


def test_dry_run_prints_the_plan_and_changes_nothing(scf: ScfBackend, project: Path) -> None:
    code, output, actions, writes = deploy_since(scf, project, "--dry-run")
    assert code == 0
    assert writes == []
    assert actions == ["ListNamespaces", "ListLayerVersions", "GetFunction"]
    assert "dry run: nothing will be changed" in output
    for step in ("PublishLayerVersion", "CreateFunction", "PublishVersion", "CreateAlias", "CreateTrigger"):
        assert step in output
    assert "function.zip" in output and "layer.zip" in output  # uploads shown as their files...
    assert base64.b64encode((project / "dist" / "function.zip").read_bytes()).decode() not in output  # ...not bytes
    assert scf.functions == {} and scf.layers == {}


def test_dry_run_after_a_change_shows_the_update_only(scf: ScfBackend, project: Path) -> None:
    deploy(project)
    doc = template_of(project)
    properties(doc)["Timeout"] = 60
    save_template(project, doc)
    code, output, _, writes = deploy_since(scf, project, "--dry-run")
    assert code == 0 and writes == []
    assert "UpdateFunctionConfiguration: changed: Timeout 30 -> 60" in output
    assert "CreateFunction" not in output


def test_no_secret_is_printed(scf: ScfBackend, project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _, first = deploy(project, "--dry-run")
    _, real = deploy(project)
    printed = first + real + "".join(capsys.readouterr())
    for secret in (SECRET_ID, SECRET_KEY, CALLBACK_SECRET):
        assert secret not in printed
    assert "GAAP_OPENER_CALLBACK_SECRET" in first and "<hidden>" in first


def test_rollback_points_the_alias_back_and_a_deploy_moves_it_forward_again(scf: ScfBackend, project: Path) -> None:
    deploy(project)
    doc = template_of(project)
    properties(doc)["MemorySize"] = 128
    save_template(project, doc)
    deploy(project)
    assert scf.function().aliases["live"] == "2"

    code, output, _, writes = deploy_since(scf, project, "--rollback", "1")
    assert code == 0, output
    assert writes == ["UpdateAlias"]
    assert scf.function().aliases["live"] == "1"
    assert scf.function().versions["1"]["config"]["MemorySize"] == 64  # what version 1 froze

    code, _, _, writes = deploy_since(scf, project, "--rollback", "1")
    assert code == 0 and writes == []  # already there

    # Deploying the same tree again re-releases it: version 2 already holds it, so no new version.
    _, _, _, writes = deploy_since(scf, project)
    assert writes == ["UpdateAlias"]
    assert scf.function().aliases["live"] == "2"


def test_rollback_to_an_unknown_version_is_refused(scf: ScfBackend, project: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    deploy(project)
    code, _, _, writes = deploy_since(scf, project, "--rollback", "9")
    assert code == 1 and writes == []
    assert "no published version '9' (published: 1)" in capsys.readouterr().err


def test_a_runtime_change_is_refused_before_any_write(scf: ScfBackend, project: Path,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    deploy(project)
    scf.function().config["Runtime"] = "Python3.9"
    code, _, _, writes = deploy_since(scf, project)
    assert code == 1 and writes == []
    assert "cannot change a function's runtime" in capsys.readouterr().err


def test_a_failed_change_stops_the_deploy_with_scf_status(scf: ScfBackend, project: Path,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    deploy(project)
    doc = template_of(project)
    properties(doc)["Timeout"] = 45
    save_template(project, doc)
    scf.fail_next_change = "UpdateFailed"
    code, _, _, writes = deploy_since(scf, project)
    assert code == 1
    assert writes == ["UpdateFunctionConfiguration"]  # nothing released after a failure
    assert "function is UpdateFailed" in capsys.readouterr().err


def test_triggers_outside_the_template_are_left_alone(scf: ScfBackend, project: Path) -> None:
    deploy(project)
    for qualifier in ("live", "$LATEST"):
        scf.function().triggers.append({"TriggerName": f"manual-{qualifier}", "Type": "timer", "Enable": 1,
                                        "TriggerDesc": '{"cron":"0 0 1 * * * *"}', "Qualifier": qualifier,
                                        "CustomArgument": ""})
    code, output, _, writes = deploy_since(scf, project)
    assert code == 0 and writes == []
    assert "timer trigger manual-live on live is not in template.yaml: left alone" in output
    assert "manual-$LATEST" not in output  # other qualifiers' triggers are not the deploy's business


def test_no_function_url_when_asked_for_none(scf: ScfBackend, project: Path) -> None:
    deploy(project, "--function-url", "none")
    assert [p["Type"] for p in scf.params("CreateTrigger")] == ["timer", "apigw"]


def test_a_missing_package_is_reported_before_any_call(scf: ScfBackend, project: Path,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    (project / "dist" / "layer.zip").unlink()
    code, _ = deploy(project)
    assert code == 1 and scf.requests == []
    assert "layer.zip is missing: run `make package` first" in capsys.readouterr().err


def test_an_invalid_template_is_reported_before_any_call(scf: ScfBackend, project: Path,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    doc = template_of(project)
    properties(doc)["MemorySize"] = 100
    save_template(project, doc)
    code, _ = deploy(project)
    assert code == 1 and scf.requests == []
    assert "MemorySize 100" in capsys.readouterr().err


def test_the_region_is_required(monkeypatch: pytest.MonkeyPatch, project: Path) -> None:
    monkeypatch.delenv("TENCENTCLOUD_REGION")
    code, _ = deploy(project)
    assert code == 2


def test_a_layer_built_for_another_python_is_refused(scf: ScfBackend, project: Path,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    write_zip(project / "dist" / "layer.zip", {"pydantic_core/_pydantic_core.cpython-311-x86_64-linux-gnu.so": ""})
    code, _ = deploy(project)
    assert code == 1 and scf.requests == []
    assert "built for Python 3.11, but the function runs Python3.10" in capsys.readouterr().err


def test_credentials_in_a_variable_url_are_hidden_from_the_plan(scf: ScfBackend, project: Path) -> None:
    doc = template_of(project)
    properties(doc)["Environment"]["Variables"]["GAAP_OPENER_CALLBACK_URL"] = "https://hook:pa55word@example.com/x"
    save_template(project, doc)
    _, output = deploy(project, "--dry-run")
    assert "pa55word" not in output
    assert "https://<hidden>@example.com/x" in output


def test_a_new_namespace_is_created_before_the_function(scf: ScfBackend, project: Path) -> None:
    doc = template_of(project)
    doc["Resources"] = {"gaap": doc["Resources"]["default"]}
    save_template(project, doc)
    code, output, actions, writes = deploy_since(scf, project)
    assert code == 0, output
    assert actions[:2] == ["ListNamespaces", "ListLayerVersions"]  # no GetFunction in a namespace not there
    assert writes[:3] == ["CreateNamespace", "PublishLayerVersion", "CreateFunction"]
    assert ("gaap", "gaap-opener") in scf.functions


def test_variables_left_empty_take_the_deployers_values_so_secrets_stay_out_of_git(
        scf: ScfBackend, project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    token_hash = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
    monkeypatch.setenv("GAAP_OPENER_API_TOKEN_SHA256", token_hash)
    monkeypatch.setenv("GAAP_OPENER_NOT_IN_TEMPLATE", "x")  # only names the template declares are taken
    code, output = deploy(project)
    assert code == 0, output
    variables = {v["Key"]: v["Value"] for v in scf.params("CreateFunction")[0]["Environment"]["Variables"]}
    assert variables["GAAP_OPENER_API_TOKEN_SHA256"] == token_hash
    assert "GAAP_OPENER_NOT_IN_TEMPLATE" not in variables
    assert token_hash not in output
    assert "from the deployer's environment (empty in template.yaml): GAAP_OPENER_API_TOKEN_SHA256" in output
    _, _, _, writes = deploy_since(scf, project)
    assert writes == []  # same environment, same deploy
