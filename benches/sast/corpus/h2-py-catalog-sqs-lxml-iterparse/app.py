from io import BytesIO

from lxml import etree


def handler(event, context):
    products = []
    for record in event["Records"]:
        data = BytesIO(record["body"].encode("utf-8"))
        for _, elem in etree.iterparse(data, tag="product", load_dtd=True, resolve_entities=True, no_network=False):
            products.append({"sku": elem.get("sku"), "name": elem.findtext("name")})
            elem.clear()
    return {"products": products}
