import json

import yaml


def handler(event, context):
    applied = []
    for record in event["Records"]:
        text = record["Sns"]["Message"]
        docs = list(yaml.load_all(text, Loader=yaml.Loader))
        for doc in docs:
            applied.append(doc.get("kind", "unknown"))
    print(json.dumps({"applied": applied}))
    return {"applied": len(applied)}
