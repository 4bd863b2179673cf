import json
import os
import uuid

import boto3

TABLE = boto3.resource("dynamodb").Table(os.environ["TABLE_NAME"])


def handler(event, context):
    body = json.loads(event.get("body") or "{}")
    order = {"id": str(uuid.uuid4()), "items": body.get("items", []), "status": "new"}
    TABLE.put_item(Item=order)
    return {"statusCode": 201, "body": json.dumps(order)}
