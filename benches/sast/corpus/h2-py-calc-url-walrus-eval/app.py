import base64
import json
import math

ALLOWED_NAMES = {"pi": math.pi, "e": math.e, "sqrt": math.sqrt}


def handler(event, context):
    body = event.get("body") or "{}"
    if event.get("isBase64Encoded"):
        body = base64.b64decode(body).decode()
    data = json.loads(body)
    if (expr := data.get("expr")) is None:
        return {"statusCode": 400, "body": "expr required"}
    value = eval(expr, {"__builtins__": {}}, ALLOWED_NAMES)
    return {"statusCode": 200, "body": json.dumps({"value": value})}
