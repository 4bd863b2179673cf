import ast
import json


def lambda_handler(event, context):
    body = json.loads(event["body"])
    settings = ast.literal_eval(body["settings"])
    if not isinstance(settings, dict):
        return {"statusCode": 400, "body": "settings must be a dict"}
    return {"statusCode": 200, "body": json.dumps(sorted(settings))}
