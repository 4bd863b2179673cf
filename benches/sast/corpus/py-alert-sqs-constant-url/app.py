import json

import requests

ALERT_URL = "https://alerts.example.com/api/v2/events"


def handler(event, context):
    for record in event["Records"]:
        alert = json.loads(record["body"])
        requests.post(ALERT_URL, json={"summary": alert["summary"]}, timeout=5)
    return {"sent": len(event["Records"])}
