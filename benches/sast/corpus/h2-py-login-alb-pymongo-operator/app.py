import base64
import json
import os

from pymongo import MongoClient

users = MongoClient(os.environ["MONGO_URL"])["auth"]["users"]


def lambda_handler(event, context):
    raw = event.get("body") or "{}"
    if event.get("isBase64Encoded"):
        raw = base64.b64decode(raw).decode()
    creds = json.loads(raw)
    user = users.find_one({"username": creds.get("username"), "api_key": creds.get("api_key")})
    if user is None:
        return {"statusCode": 401, "statusDescription": "401 Unauthorized", "body": "denied"}
    return {"statusCode": 200, "statusDescription": "200 OK", "body": json.dumps({"id": str(user["_id"])})}
