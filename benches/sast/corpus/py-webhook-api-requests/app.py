import json

import requests


def lambda_handler(event, context):
    body = json.loads(event["body"])
    callback = body["callback_url"]
    resp = requests.post(callback, json={"status": "accepted"}, timeout=5)
    return {"statusCode": 202, "body": json.dumps({"callback_status": resp.status_code})}
