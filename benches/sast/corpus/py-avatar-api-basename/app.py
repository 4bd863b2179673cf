import base64
import os


def lambda_handler(event, context):
    requested = event["pathParameters"]["file"]
    name = os.path.basename(requested)
    with open(os.path.join("/var/task/avatars", name), "rb") as fh:
        data = fh.read()
    return {"statusCode": 200, "isBase64Encoded": True, "body": base64.b64encode(data).decode()}
