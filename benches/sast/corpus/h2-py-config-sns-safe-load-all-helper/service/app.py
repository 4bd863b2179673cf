import json

from .config import parse_documents


def handler(event, context):
    names = []
    for record in event["Records"]:
        for doc in parse_documents(record["Sns"]["Message"]):
            names.append(doc.get("metadata", {}).get("name"))
    print(json.dumps({"names": names}))
    return {"count": len(names)}
