import json
import os

from pymongo import MongoClient

notes = MongoClient(os.environ["MONGO_URL"]).app.notes


def lambda_handler(event, context):
    owner = json.loads(event["body"])["owner"]
    cursor = notes.find({"$where": "this.owner == '" + owner + "'"})
    return {"statusCode": 200, "body": json.dumps([n["title"] for n in cursor])}
