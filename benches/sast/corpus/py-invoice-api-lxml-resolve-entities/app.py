from lxml import etree


def lambda_handler(event, context):
    parser = etree.XMLParser(resolve_entities=True, no_network=False)
    root = etree.fromstring(event["body"].encode(), parser)
    total = root.findtext("total")
    return {"statusCode": 200, "body": total or "0"}
