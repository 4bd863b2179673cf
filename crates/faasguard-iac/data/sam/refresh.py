#!/usr/bin/env python3
"""Regenerates the SAM data files in this directory from an installed aws-sam-translator.

Usage:
    python3 -m venv /tmp/sam && /tmp/sam/bin/pip install aws-sam-translator
    /tmp/sam/bin/python crates/faasguard-iac/data/sam/refresh.py

Writes policy_templates.json (template name -> parameters and statements, with every
`Fn::Sub` rewritten to a plain pattern whose `${Name}` placeholders are the template's own
parameters or CloudFormation pseudo-parameters) and aws_managed_policies.txt (one AWS managed
policy ARN suffix per line, `path/Name`, for the `aws` partition).
"""

import json
import os
import sys

import samtranslator

HERE = os.path.dirname(os.path.abspath(__file__))
PKG = os.path.dirname(samtranslator.__file__)


def pattern(value):
    """A resource or condition value as a pattern string with `${Param}` placeholders."""
    if isinstance(value, str):
        return value
    if isinstance(value, dict) and list(value) == ["Fn::Sub"]:
        sub = value["Fn::Sub"]
        if isinstance(sub, str):
            return sub
        text, variables = sub
        for var, ref in variables.items():
            if not (isinstance(ref, dict) and list(ref) == ["Ref"]):
                sys.exit(f"unexpected Sub variable {var}: {ref!r}")
            text = text.replace("${" + var + "}", "${" + ref["Ref"] + "}")
        return text
    if isinstance(value, dict):
        return {k: pattern(v) for k, v in value.items()}
    if isinstance(value, list):
        return [pattern(v) for v in value]
    sys.exit(f"unexpected value {value!r}")


def as_list(value):
    return value if isinstance(value, list) else [value]


def main():
    with open(os.path.join(PKG, "policy_templates_data", "policy_templates.json")) as f:
        data = json.load(f)
    out = {}
    for name, template in sorted(data["Templates"].items()):
        statements = []
        for st in template["Definition"]["Statement"]:
            unknown = set(st) - {"Effect", "Action", "Resource", "Condition"}
            if unknown:
                sys.exit(f"{name}: unexpected statement keys {unknown}")
            entry = {
                "effect": st["Effect"],
                "action": as_list(st["Action"]),
                "resource": [pattern(r) for r in as_list(st["Resource"])],
            }
            if "Condition" in st:
                entry["condition"] = pattern(st["Condition"])
            statements.append(entry)
        out[name] = {"parameters": sorted(template.get("Parameters", {})), "statements": statements}
    with open(os.path.join(HERE, "policy_templates.json"), "w") as f:
        json.dump({"source_version": data["Version"], "templates": out}, f, indent=1, sort_keys=True)
        f.write("\n")

    with open(os.path.join(PKG, "internal", "data", "aws_managed_policies.json")) as f:
        managed = json.load(f)["aws"]
    prefix = "arn:aws:iam::aws:policy/"
    suffixes = sorted(arn[len(prefix):] for arn in managed.values() if arn.startswith(prefix))
    with open(os.path.join(HERE, "aws_managed_policies.txt"), "w") as f:
        f.write("\n".join(suffixes) + "\n")


if __name__ == "__main__":
    main()
