import os

ROOT = "/var/task/exports"


def lambda_handler(event, context):
    name = event["pathParameters"]["name"]
    full = os.path.realpath(os.path.join(ROOT, name))
    if not full.startswith(ROOT + os.sep):
        return {"statusCode": 400, "body": "bad path"}
    with open(full) as fh:
        return {"statusCode": 200, "body": fh.read()}
