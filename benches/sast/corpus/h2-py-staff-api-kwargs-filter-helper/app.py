import json

from repository import search_staff

FILTERABLE = ("team", "office", "role")


def lambda_handler(event, context):
    params = event.get("queryStringParameters") or {}
    filters = {k: v for k, v in params.items() if k in FILTERABLE}
    rows = search_staff(limit=50, **filters)
    return {"statusCode": 200, "body": json.dumps(rows, default=str)}
