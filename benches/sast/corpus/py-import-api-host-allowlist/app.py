import json
from urllib.parse import urlparse

import requests

ALLOWED_HOSTS = {"files.example.com", "cdn.example.com"}


def lambda_handler(event, context):
    source = json.loads(event["body"])["source"]
    parsed = urlparse(source)
    if parsed.scheme != "https" or parsed.hostname not in ALLOWED_HOSTS:
        return {"statusCode": 400, "body": "host not allowed"}
    resp = requests.get(source, timeout=5, allow_redirects=False)
    return {"statusCode": 200, "body": str(len(resp.content))}
