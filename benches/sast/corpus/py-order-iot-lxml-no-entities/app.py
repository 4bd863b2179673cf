from lxml import etree

PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)


def handler(event, context):
    root = etree.fromstring(event["xml"].encode(), PARSER)
    status = root.findtext("status")
    return {"device": event["deviceId"], "status": status}
