import json
import os

from sqlalchemy import create_engine, text

engine = create_engine(os.environ["DATABASE_URL"])


def lambda_handler(event, context):
    region = event["queryStringParameters"]["region"]
    with engine.connect() as conn:
        rows = conn.execute(text(f"SELECT sum(total) FROM sales WHERE region = '{region}'")).all()
    return {"statusCode": 200, "body": json.dumps([list(r) for r in rows])}
