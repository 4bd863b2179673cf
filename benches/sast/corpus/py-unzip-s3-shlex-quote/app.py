import os
import shlex


def lambda_handler(event, context):
    key = event["Records"][0]["s3"]["object"]["key"]
    archive = shlex.quote("/tmp/" + key)
    code = os.system("unzip -o " + archive + " -d /tmp/out")
    return {"exit": code}
