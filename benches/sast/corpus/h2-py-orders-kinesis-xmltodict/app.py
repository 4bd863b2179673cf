import base64
import json

import xmltodict


def handler(event, context):
    orders = []
    for record in event["Records"]:
        xml = base64.b64decode(record["kinesis"]["data"]).decode("utf-8")
        doc = xmltodict.parse(xml)
        order = doc.get("order", {})
        orders.append({"id": order.get("@id"), "total": order.get("total")})
    print(json.dumps(orders))
    return {"orders": len(orders)}
