import json

import requests

session = requests.Session()


def handler(event, context):
    msg = json.loads(event["Records"][0]["Sns"]["Message"])
    resp = session.get(msg["mirror_url"], timeout=5)
    return {"status": resp.status_code}
