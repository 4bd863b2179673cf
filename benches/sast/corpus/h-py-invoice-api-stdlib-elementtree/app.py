import xml.etree.ElementTree as ET


def lambda_handler(event, context):
    root = ET.fromstring(event["body"])
    total = root.findtext("total", default="0")
    return {"statusCode": 200, "body": total}
