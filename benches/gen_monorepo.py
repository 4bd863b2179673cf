#!/usr/bin/env python3
"""Generate a serverless monorepo for the scan benchmark.

    python3 benches/gen_monorepo.py OUT_DIR [--functions 1000] [--seed 7]

The functions are spread over AWS SAM templates (40 %), serverless.yml services (30 %) and Terraform
modules (30 %), ten functions per file. Each function draws its settings from a fixed-seed random
generator, so the same command always writes the same tree: a mix of current and end-of-life runtimes,
public function URLs, public resource policies, wildcard and admin IAM policies, privilege-escalation
pairs, sensitive environment variables, async triggers with and without dead-letter queues, and so on.
"""
import argparse
import json
import os
import random
import re

RUNTIMES = ["python3.12", "python3.13", "nodejs20.x", "nodejs22.x", "python3.8", "nodejs16.x", "java21", "python3.7", "nodejs14.x", "ruby3.3"]
STATEMENT_KINDS = ["scoped", "scoped", "scoped", "action_star", "service_star", "resource_star_write", "privesc", "exfil", "not_action"]


def statement(kind, i):
    if kind == "scoped":
        return {"Effect": "Allow", "Action": ["dynamodb:GetItem", "dynamodb:PutItem"], "Resource": f"arn:aws:dynamodb:us-east-1:123456789012:table/t{i}"}
    if kind == "action_star":
        return {"Effect": "Allow", "Action": "*", "Resource": "*"}
    if kind == "service_star":
        return {"Effect": "Allow", "Action": ["s3:*", "iam:*"], "Resource": "*"}
    if kind == "resource_star_write":
        return {"Effect": "Allow", "Action": ["sqs:SendMessage", "sns:Publish"], "Resource": "*"}
    if kind == "privesc":
        return {"Effect": "Allow", "Action": ["iam:PassRole", "lambda:CreateFunction", "lambda:InvokeFunction"], "Resource": "*"}
    if kind == "exfil":
        return {"Effect": "Allow", "Action": ["secretsmanager:GetSecretValue", "s3:GetObject"], "Resource": "*"}
    return {"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}


def draw(rng, i):
    return {
        "runtime": rng.choice(RUNTIMES),
        "timeout": rng.choice([3, 10, 30, 60, 900]),
        "memory": rng.choice([128, 256, 1024]),
        "url": rng.choice([None, None, "NONE", "AWS_IAM"]),
        "cors_star": rng.random() < 0.3,
        "public_permission": rng.random() < 0.15,
        "statements": [statement(rng.choice(STATEMENT_KINDS), i) for _ in range(rng.randint(1, 3))],
        "admin_managed": rng.random() < 0.1,
        "secret_env": rng.random() < 0.25,
        "event": rng.choice(["api", "sqs", "s3", "sns", "schedule", None]),
        "dlq": rng.random() < 0.4,
        "tracing": rng.random() < 0.5,
        "concurrency": rng.choice([None, None, 5, 50]),
        "kms": rng.random() < 0.2,
    }


def env_vars(f, i):
    env = {"LOG_LEVEL": "info", "TABLE": f"table-{i}"}
    if f["secret_env"]:
        env["DB_PASSWORD"] = f"pw-{i:05d}-Zq8xV2mK9t"
    return env


def write_sam(path, fns, start):
    res = {}
    for k, f in enumerate(fns):
        i = start + k
        name = f"Fn{i}"
        code = os.path.join(os.path.dirname(path), "src", f"fn{i}")
        os.makedirs(code, exist_ok=True)
        with open(os.path.join(code, "app.py"), "w") as fh:
            fh.write("def handler(event, context):\n    return {'statusCode': 200}\n")
        props = {
            "CodeUri": f"src/fn{i}/", "Handler": "app.handler", "Runtime": f["runtime"],
            "Timeout": f["timeout"], "MemorySize": f["memory"],
            "Environment": {"Variables": env_vars(f, i)},
            "Policies": [{"Statement": f["statements"]}] + (["AdministratorAccess"] if f["admin_managed"] else []),
        }
        if f["url"]:
            url = {"AuthType": f["url"]}
            if f["cors_star"]:
                url["Cors"] = {"AllowOrigins": ["*"], "AllowCredentials": True}
            props["FunctionUrlConfig"] = url
        if f["tracing"]:
            props["Tracing"] = "Active"
        if f["concurrency"]:
            props["ReservedConcurrentExecutions"] = f["concurrency"]
        if f["kms"]:
            props["KmsKeyArn"] = "arn:aws:kms:us-east-1:123456789012:key/11111111-2222-3333-4444-555555555555"
        ev = {"api": {"Type": "Api", "Properties": {"Path": f"/p{i}", "Method": "get"}},
              "sqs": {"Type": "SQS", "Properties": {"Queue": "arn:aws:sqs:us-east-1:123456789012:q"}},
              "s3": {"Type": "SNS", "Properties": {"Topic": "arn:aws:sns:us-east-1:123456789012:t"}},
              "sns": {"Type": "SNS", "Properties": {"Topic": "arn:aws:sns:us-east-1:123456789012:t"}},
              "schedule": {"Type": "Schedule", "Properties": {"Schedule": "rate(1 hour)"}}}.get(f["event"])
        if ev:
            props["Events"] = {"Trigger": ev}
        if f["dlq"]:
            props["DeadLetterQueue"] = {"Type": "SQS", "TargetArn": "arn:aws:sqs:us-east-1:123456789012:dlq"}
        res[name] = {"Type": "AWS::Serverless::Function", "Properties": props}
        if f["public_permission"]:
            res[f"{name}Permission"] = {"Type": "AWS::Lambda::Permission", "Properties": {
                "FunctionName": {"Ref": name}, "Action": "lambda:InvokeFunction", "Principal": "*"}}
    doc = {"AWSTemplateFormatVersion": "2010-09-09", "Transform": "AWS::Serverless-2016-10-31", "Resources": res}
    if path.endswith(".json"):
        with open(path, "w") as fh:
            json.dump(doc, fh, indent=2)
        return
    import yaml  # PyYAML, installed with checkov in the bench venv

    text = yaml.safe_dump(doc, sort_keys=False, width=200)
    # Short-form intrinsic tags, as people write them.
    text = re.sub(r"FunctionName:\n(\s+)Ref: (\S+)", r"FunctionName: !Ref \2", text)
    with open(path, "w") as fh:
        fh.write(text)


def yaml_scalar(v):
    return json.dumps(v) if isinstance(v, str) else str(v).lower() if isinstance(v, bool) else str(v)


def write_serverless(path, fns, start, svc):
    lines = [f"service: svc{svc}", "frameworkVersion: '3'", "provider:", "  name: aws", "  runtime: python3.12",
             "  iam:", "    role:", "      statements:"]
    for st in fns[0]["statements"]:
        lines.append("        - Effect: Allow")
        key = "NotAction" if "NotAction" in st else "Action"
        acts = st[key] if isinstance(st[key], list) else [st[key]]
        lines.append(f"          {key}:")
        lines += [f"            - {json.dumps(a)}" for a in acts]
        lines.append(f"          Resource: {json.dumps(st['Resource'])}")
    lines.append("functions:")
    for k, f in enumerate(fns):
        i = start + k
        lines += [f"  fn{i}:", f"    handler: src/fn{i}.handler", f"    runtime: {f['runtime']}",
                  f"    timeout: {f['timeout']}", f"    memorySize: {f['memory']}", "    environment:"]
        lines += [f"      {n}: {yaml_scalar(v)}" for n, v in env_vars(f, i).items()]
        if f["url"] == "NONE":
            lines.append("    url: true")
        elif f["url"] == "AWS_IAM":
            lines += ["    url:", "      authorizer: aws_iam"]
        if f["concurrency"]:
            lines.append(f"    reservedConcurrency: {f['concurrency']}")
        if f["tracing"]:
            lines.append("    tracing: Active")
        ev = {"api": ["      - http:", f"          path: p{i}", "          method: get"],
              "sqs": ["      - sqs: arn:aws:sqs:us-east-1:123456789012:q"],
              "s3": ["      - s3: bucket" + str(i)],
              "sns": ["      - sns: topic" + str(i)],
              "schedule": ["      - schedule: rate(1 hour)"]}.get(f["event"])
        if ev:
            lines += ["    events:"] + ev
        if f["dlq"]:
            lines += ["    destinations:", "      onFailure: arn:aws:sqs:us-east-1:123456789012:dlq"]
    with open(path, "w") as fh:
        fh.write("\n".join(lines) + "\n")


def hcl_list(xs):
    return "[" + ", ".join(json.dumps(x) for x in xs) + "]"


def write_terraform(path, fns, start):
    out = []
    for k, f in enumerate(fns):
        i = start + k
        out.append(f'''resource "aws_iam_role" "r{i}" {{
  name               = "r{i}"
  assume_role_policy = jsonencode({{ Version = "2012-10-17", Statement = [{{ Effect = "Allow", Action = "sts:AssumeRole", Principal = {{ Service = "lambda.amazonaws.com" }} }}] }})
}}
''')
        for n, st in enumerate(f["statements"]):
            key = "not_actions" if "NotAction" in st else "actions"
            acts = st.get("NotAction", st.get("Action"))
            acts = acts if isinstance(acts, list) else [acts]
            out.append(f'''data "aws_iam_policy_document" "p{i}_{n}" {{
  statement {{
    effect    = "Allow"
    {key} = {hcl_list(acts)}
    resources = {hcl_list([st["Resource"]])}
  }}
}}

resource "aws_iam_role_policy" "p{i}_{n}" {{
  name   = "p{i}-{n}"
  role   = aws_iam_role.r{i}.id
  policy = data.aws_iam_policy_document.p{i}_{n}.json
}}
''')
        if f["admin_managed"]:
            out.append(f'''resource "aws_iam_role_policy_attachment" "admin{i}" {{
  role       = aws_iam_role.r{i}.name
  policy_arn = "arn:aws:iam::aws:policy/AdministratorAccess"
}}
''')
        env = "\n".join(f'      {n} = {json.dumps(v)}' for n, v in env_vars(f, i).items())
        extra = ""
        if f["concurrency"]:
            extra += f"\n  reserved_concurrent_executions = {f['concurrency']}"
        if f["tracing"]:
            extra += '\n  tracing_config {\n    mode = "Active"\n  }'
        if f["kms"]:
            extra += '\n  kms_key_arn = "arn:aws:kms:us-east-1:123456789012:key/11111111-2222-3333-4444-555555555555"'
        if f["dlq"]:
            extra += '\n  dead_letter_config {\n    target_arn = "arn:aws:sqs:us-east-1:123456789012:dlq"\n  }'
        out.append(f'''resource "aws_lambda_function" "f{i}" {{
  function_name = "f{i}"
  filename      = "build/f{i}.zip"
  handler       = "app.handler"
  runtime       = "{f['runtime']}"
  timeout       = {f['timeout']}
  memory_size   = {f['memory']}
  role          = aws_iam_role.r{i}.arn{extra}

  environment {{
    variables = {{
{env}
    }}
  }}
}}
''')
        if f["url"]:
            out.append(f'''resource "aws_lambda_function_url" "u{i}" {{
  function_name      = aws_lambda_function.f{i}.function_name
  authorization_type = "{f['url']}"
}}
''')
        if f["public_permission"]:
            out.append(f'''resource "aws_lambda_permission" "pub{i}" {{
  statement_id  = "Public"
  action        = "lambda:InvokeFunction"
  function_name = aws_lambda_function.f{i}.function_name
  principal     = "*"
}}
''')
    with open(path, "w") as fh:
        fh.write("\n".join(out))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--functions", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args()
    rng = random.Random(args.seed)
    fns = [draw(rng, i) for i in range(args.functions)]
    n_sam = args.functions * 4 // 10
    n_sls = args.functions * 3 // 10
    per_file = 10
    for start in range(0, args.functions, per_file):
        chunk = fns[start:start + per_file]
        if start < n_sam:
            d = os.path.join(args.out, "sam", f"app{start // per_file:03d}")
            os.makedirs(d, exist_ok=True)
            name = "template.yaml" if (start // per_file) % 2 == 0 else "template.json"
            write_sam(os.path.join(d, name), chunk, start)
        elif start < n_sam + n_sls:
            d = os.path.join(args.out, "serverless", f"svc{start // per_file:03d}")
            os.makedirs(d, exist_ok=True)
            write_serverless(os.path.join(d, "serverless.yml"), chunk, start, start // per_file)
        else:
            d = os.path.join(args.out, "terraform", f"mod{start // per_file:03d}")
            os.makedirs(d, exist_ok=True)
            write_terraform(os.path.join(d, "main.tf"), chunk, start)
    print(f"wrote {args.functions} functions under {args.out}")


if __name__ == "__main__":
    main()
