import base64
import pickle


def lambda_handler(event, context):
    raw = base64.b64decode(event["body"])
    session = pickle.loads(raw)
    user = session.get("user", "anonymous")
    return {"statusCode": 200, "body": f"hello {user}"}
