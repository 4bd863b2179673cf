from defusedxml import ElementTree


def lambda_handler(event, context):
    root = ElementTree.fromstring(event["body"])
    total = root.findtext("total")
    return {"statusCode": 200, "body": total or "0"}
