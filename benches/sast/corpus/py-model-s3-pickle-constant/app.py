import pickle

with open("/var/task/model.pkl", "rb") as fh:
    MODEL = pickle.load(fh)


def handler(event, context):
    key = event["Records"][0]["s3"]["object"]["key"]
    score = MODEL.predict([[len(key)]])
    blob = pickle.dumps({"key": key, "score": float(score[0])})
    return {"key": key, "size": len(blob)}
