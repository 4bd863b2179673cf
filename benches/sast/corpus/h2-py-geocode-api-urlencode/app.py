import json
import urllib.request
from urllib.parse import urlencode

GEOCODER = "https://geocoder.internal.example.com/v1/search"


def lambda_handler(event, context):
    params = event.get("queryStringParameters") or {}
    query = urlencode({"q": params.get("address", ""), "limit": 1})
    with urllib.request.urlopen(f"{GEOCODER}?{query}", timeout=5) as resp:
        results = json.load(resp)
    return {"statusCode": 200, "body": json.dumps(results[:1])}
