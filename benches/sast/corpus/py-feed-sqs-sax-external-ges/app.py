import xml.sax
from xml.sax.handler import feature_external_ges


class TitleHandler(xml.sax.ContentHandler):
    def __init__(self):
        super().__init__()
        self.count = 0

    def startElement(self, name, attrs):
        if name == "title":
            self.count += 1


def handler(event, context):
    counts = []
    for record in event["Records"]:
        h = TitleHandler()
        parser = xml.sax.make_parser()
        parser.setContentHandler(h)
        parser.setFeature(feature_external_ges, True)
        parser.feed(record["body"])
        parser.close()
        counts.append(h.count)
    return counts
