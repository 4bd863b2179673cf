from urllib.parse import quote

import requests

API = "https://directory.internal.example.com/v2"


def lambda_handler(event, context):
    user_id = event["pathParameters"]["id"]
    resp = requests.get(API + "/users/" + quote(user_id, safe=""), timeout=5)
    return {"statusCode": resp.status_code, "body": resp.text}
