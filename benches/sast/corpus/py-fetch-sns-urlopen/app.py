import json
import urllib.request


def handler(event, context):
    message = json.loads(event["Records"][0]["Sns"]["Message"])
    url = message["source"]
    with urllib.request.urlopen(url, timeout=5) as resp:
        data = resp.read()
    return {"bytes": len(data)}
