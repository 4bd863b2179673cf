import json


def lambda_handler(event, context):
    body = json.loads(event.get("body") or "{}")
    expression = body.get("expression", "0")
    value = eval(expression)
    return {"statusCode": 200, "body": json.dumps({"value": value})}
