import json

from db import save_order


def handler(event, context):
    for record in event["Records"]:
        order = json.loads(record["body"])
        save_order(order["id"], order["customer"])
    return {"saved": len(event["Records"])}
