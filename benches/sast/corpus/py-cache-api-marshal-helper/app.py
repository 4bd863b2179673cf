import base64

from codec import load_blob


def lambda_handler(event, context):
    blob = base64.b64decode(event["body"])
    value = load_blob(blob)
    return {"statusCode": 200, "body": repr(value)}
