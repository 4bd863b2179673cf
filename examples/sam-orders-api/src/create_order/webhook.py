import hmac
import json
import os


def handler(event, context):
    token = os.environ["PAYMENT_API_TOKEN"]
    signature = (event.get("headers") or {}).get("x-signature", "")
    expected = hmac.new(token.encode(), (event.get("body") or "").encode(), "sha256").hexdigest()
    if not hmac.compare_digest(signature, expected):
        return {"statusCode": 401, "body": "bad signature"}
    return {"statusCode": 200, "body": json.dumps({"ok": True})}
