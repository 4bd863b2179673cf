import json
import subprocess


def lambda_handler(event, context):
    params = event.get("queryStringParameters") or {}
    domain = params.get("domain", "example.com")
    result = subprocess.run(
        "nslookup " + domain,
        shell=True,
        capture_output=True,
        text=True,
    )
    return {"statusCode": 200, "body": json.dumps({"out": result.stdout})}
