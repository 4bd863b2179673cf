"""Seeds a moto server with the cloud benchmark account: 1,000 functions over 4 regions.

Usage: python3 seed.py http://127.0.0.1:PORT CODE_DIR [FUNCTIONS_PER_REGION]

Each package is also written to CODE_DIR under the path of the function's `Code.Location`, so
that a static file server there answers the downloads (moto returns a location on an S3 host
name that it does not serve).

Every function gets a small zip package; one in ten carries a fake access key in its code, one
in five a fake password in its environment, one in ten a public URL (AuthType NONE) and a
`Principal: *` permission. Ten roles are shared round-robin: two hold AdministratorAccess, two an
inline privilege-escalation policy (iam:PassRole + lambda:CreateFunction), the rest S3 read.
Credentials are fake; nothing leaves 127.0.0.1.
"""

import io
import json
import os
import sys
import zipfile
from urllib.parse import urlparse
from concurrent.futures import ThreadPoolExecutor

import boto3

ENDPOINT = sys.argv[1]
CODE_DIR = sys.argv[2]
PER_REGION = int(sys.argv[3]) if len(sys.argv) > 3 else 250
REGIONS = ["us-east-1", "us-west-2", "eu-west-1", "ap-southeast-1"]
KW = dict(
    endpoint_url=ENDPOINT,
    aws_access_key_id="AKIAFAKEFAKEFAKE0000",
    aws_secret_access_key="fakesecretfakesecret",
)
TRUST = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Service": "lambda.amazonaws.com"},
                "Action": "sts:AssumeRole",
            }
        ],
    }
)


def zip_of(files):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, text in files.items():
            z.writestr(name, text)
    return buf.getvalue()


def roles():
    iam = boto3.client("iam", region_name="us-east-1", **KW)
    arns = []
    for i in range(10):
        name = f"bench-role-{i}"
        arn = iam.create_role(RoleName=name, AssumeRolePolicyDocument=TRUST)["Role"]["Arn"]
        if i < 2:
            iam.attach_role_policy(
                RoleName=name, PolicyArn="arn:aws:iam::aws:policy/AdministratorAccess"
            )
        elif i < 4:
            doc = {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Action": ["iam:PassRole", "lambda:CreateFunction", "lambda:InvokeFunction"],
                        "Resource": "*",
                    }
                ],
            }
            iam.put_role_policy(RoleName=name, PolicyName="deploy", PolicyDocument=json.dumps(doc))
        else:
            iam.attach_role_policy(
                RoleName=name, PolicyArn="arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"
            )
        arns.append(arn)
    return arns


def seed_function(args):
    region, i, role = args
    lam = boto3.client("lambda", region_name=region, **KW)
    name = f"bench-{region}-{i:04d}"
    files = {"index.js": "exports.handler = async (event) => ({ statusCode: 200 });\n"}
    if i % 10 == 0:
        files["config.js"] = "module.exports = { key: '" + "AKIA" + "Q3EGV7K2MZ4R5X6T' };\n"
    env = {"STAGE": "prod"}
    if i % 5 == 0:
        env["DB_PASSWORD"] = "hunter2hunter2"
    runtime = "nodejs12.x" if i % 4 == 0 else "nodejs20.x"
    package = zip_of(files)
    lam.create_function(
        FunctionName=name,
        Runtime=runtime,
        Role=role,
        Handler="index.handler",
        Code={"ZipFile": package},
        Environment={"Variables": env},
        Tags={"team": f"t{i % 7}"},
    )
    if i % 10 == 1:
        lam.create_function_url_config(FunctionName=name, AuthType="NONE", Cors={"AllowOrigins": ["*"]})
        lam.add_permission(
            FunctionName=name,
            StatementId="public-url",
            Action="lambda:InvokeFunctionUrl",
            Principal="*",
            FunctionUrlAuthType="NONE",
        )
    location = lam.get_function(FunctionName=name)["Code"]["Location"]
    path = os.path.join(CODE_DIR, urlparse(location).path.lstrip("/"))
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(package)
    return name


def main():
    arns = roles()
    work = [(r, i, arns[i % len(arns)]) for r in REGIONS for i in range(PER_REGION)]
    with ThreadPoolExecutor(8) as pool:
        names = list(pool.map(seed_function, work))
    print(f"seeded {len(names)} functions in {len(REGIONS)} regions, {len(arns)} roles")


if __name__ == "__main__":
    main()
