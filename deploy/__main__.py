"""python -m deploy: make SCF match template.yaml and dist/*.zip, changing only what differs.

    python -m deploy [--region ap-guangzhou] [--dry-run]      # deploy (or only print the plan)
    python -m deploy --rollback 7 [--dry-run]                 # point the alias back at version 7

Credentials: TENCENTCLOUD_SECRET_ID / TENCENTCLOUD_SECRET_KEY or the SDK's default chain; they
are never printed. The region: --region, else TENCENTCLOUD_REGION.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, TextIO

from .packages import Package, PackageError, check_layer_runtime, read_package
from .plan import LATEST, Action, Desired, Plan, PlanError, Ref, Upload, describe, plan, rollback
from .scf import DeployError, Scf, connect, read_current, wait_until_active
from .template import FunctionSpec, TemplateError, fill_from_environment, load

ROOT = Path(__file__).resolve().parents[1]


def main(argv: list[str] | None = None, *, scf: Scf | None = None, out: TextIO | None = None,
         sleep: Callable[[float], None] = time.sleep) -> int:
    out = out or sys.stdout
    args = _parser().parse_args(argv)
    region = args.region or os.environ.get("TENCENTCLOUD_REGION")
    if not region:
        print("deploy: no region: pass --region or set TENCENTCLOUD_REGION", file=sys.stderr)
        return 2
    try:
        spec, filled = fill_from_environment(load(Path(args.template)), os.environ)
        packages = {} if args.rollback else read_packages(Path(args.dist), spec.runtime)
        scf = scf or connect(region)
        current = read_current(scf, spec, args.layer_name, args.alias)
        if args.rollback:
            the_plan = rollback(current, spec, args.alias, args.rollback)
        else:
            desired = Desired(spec, packages["function"].content_sha256, packages["layer"].content_sha256,
                              layer_name=args.layer_name, alias=args.alias, function_url=args.function_url)
            the_plan = plan(desired, current)
        where = f"{region} {spec.namespace}/{spec.name}"
        if filled and not args.rollback:
            the_plan.notes.append("from the deployer's environment (empty in template.yaml): " + ", ".join(filled))
        print_plan(the_plan, packages, where, dry_run=args.dry_run, out=out)
        if args.dry_run or not the_plan.actions:
            return 0
        produced = execute(the_plan.actions, scf, packages, spec, timeout=args.wait_timeout, sleep=sleep, out=out)
    except (TemplateError, PackageError, PlanError, DeployError) as error:
        print(f"deploy: {error}", file=sys.stderr)
        return 1
    if "function_version" in produced:
        print(f"Published version {produced['function_version']}; alias {args.alias} points at it. "
              f"Roll back with: python -m deploy --rollback <earlier version>", file=out)
    print("Done.", file=out)
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m deploy", description="Deploy gaap-opener to SCF.")
    parser.add_argument("--template", default=str(ROOT / "template.yaml"))
    parser.add_argument("--dist", default=str(ROOT / "dist"), help="where make package put the zips")
    parser.add_argument("--region", help="e.g. ap-guangzhou (default: TENCENTCLOUD_REGION)")
    parser.add_argument("--dry-run", action="store_true", help="read SCF, print the plan, change nothing")
    parser.add_argument("--rollback", metavar="VERSION", help="point the alias at this published version")
    parser.add_argument("--layer-name", default="gaap-opener-deps")
    parser.add_argument("--alias", default="live", help="the alias the triggers and the function URL follow")
    parser.add_argument("--function-url", choices=("public", "intranet", "none"), default="public",
                        help="the function URL's network access (none: no URL)")
    parser.add_argument("--wait-timeout", type=float, default=300.0, help="seconds to wait for SCF per change")
    return parser


def read_packages(dist: Path, runtime: str) -> dict[str, Package]:
    """dist/function.zip and dist/layer.zip, checked before SCF is asked anything."""
    packages = {"function": read_package(dist / "function.zip"), "layer": read_package(dist / "layer.zip")}
    check_layer_runtime(packages["layer"], runtime)
    return packages


def print_plan(the_plan: Plan, packages: Mapping[str, Package], where: str, *, dry_run: bool, out: TextIO) -> None:
    header = "Plan (dry run: nothing will be changed)" if dry_run else "Plan"
    print(f"{header} for {where}:", file=out)
    if not the_plan.actions:
        print("  nothing to change", file=out)
    shown = {name: package.describe() for name, package in packages.items()}
    for number, action in enumerate(the_plan.actions, 1):
        print(f"  {number}. {describe(action, shown)}", file=out)
    for note in the_plan.notes:
        print(f"  note: {note}", file=out)


def execute(actions: list[Action], scf: Scf, packages: Mapping[str, Package], spec: FunctionSpec, *, timeout: float,
            sleep: Callable[[float], None], out: TextIO) -> dict[str, Any]:
    """Run the actions in order, feeding what one produces into the next, waiting where SCF needs it."""
    produced: dict[str, Any] = {}
    target = {"FunctionName": spec.name, "Namespace": spec.namespace}
    for number, action in enumerate(actions, 1):
        print(f"  [{number}/{len(actions)}] {action.api} ...", file=out, flush=True)
        answer = scf.call(action.api, _resolve(action.params, produced, packages))
        if action.produces:
            name, key = action.produces
            produced[name] = answer[key]
            print(f"      {key} {answer[key]}", file=out)
        if action.wait == "function":
            wait_until_active(scf, "function", {**target, "Qualifier": LATEST}, timeout=timeout, sleep=sleep)
        elif action.wait == "version":
            wait_until_active(scf, "version", {**target, "Qualifier": str(produced["function_version"])},
                              timeout=timeout, sleep=sleep)
        elif action.wait == "layer":
            wait_until_active(scf, "layer", {"LayerName": action.params["LayerName"],
                                             "LayerVersion": produced["layer_version"]}, timeout=timeout, sleep=sleep)
    return produced


def _resolve(value: Any, produced: Mapping[str, Any], packages: Mapping[str, Package]) -> Any:
    if isinstance(value, Upload):
        return packages[value.package].base64()
    if isinstance(value, Ref):
        return produced[value.name]
    if isinstance(value, Mapping):
        return {k: _resolve(v, produced, packages) for k, v in value.items()}
    if isinstance(value, list):
        return [_resolve(v, produced, packages) for v in value]
    return value


if __name__ == "__main__":
    sys.exit(main())
