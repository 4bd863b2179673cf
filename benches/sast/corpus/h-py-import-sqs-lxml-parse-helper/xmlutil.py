from io import BytesIO

from lxml import etree


def parse_document(data):
    parser = etree.XMLParser(load_dtd=True, resolve_entities=True)
    return etree.parse(BytesIO(data), parser).getroot()
