import json
import subprocess


def lambda_handler(event, context):
    body = json.loads(event["body"])
    archive = body["archive"]
    proc = subprocess.run(
        ["tar", "-xzf", archive, "-C", "/tmp/extract"],
        check=False,
        capture_output=True,
    )
    return {"statusCode": 200, "body": json.dumps({"rc": proc.returncode})}
