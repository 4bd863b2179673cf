from xmlutil import parse_document


def handler(event, context):
    names = []
    for record in event["Records"]:
        names.append(parse_document(record["body"].encode()).tag)
    return names
