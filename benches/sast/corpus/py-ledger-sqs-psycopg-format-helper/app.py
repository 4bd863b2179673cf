import json

from repo import record_payment


def handler(event, context):
    for record in event["Records"]:
        payment = json.loads(record["body"])
        record_payment(payment["account"], payment["amount"])
    return {"ok": True}
