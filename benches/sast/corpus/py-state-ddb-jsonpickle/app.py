import jsonpickle


def handler(event, context):
    restored = []
    for record in event["Records"]:
        if record["eventName"] != "INSERT":
            continue
        state = record["dynamodb"]["NewImage"]["state"]["S"]
        obj = jsonpickle.decode(state)
        restored.append(type(obj).__name__)
    return restored
