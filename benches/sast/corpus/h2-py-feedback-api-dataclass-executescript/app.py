import json
import sqlite3
from dataclasses import dataclass

DB_PATH = "/tmp/feedback.db"


@dataclass
class Feedback:
    user: str
    rating: int
    comment: str = ""


def lambda_handler(event, context):
    fb = Feedback(**json.loads(event["body"]))
    conn = sqlite3.connect(DB_PATH)
    conn.executescript(
        "CREATE TABLE IF NOT EXISTS feedback (user TEXT, rating INT, comment TEXT);"
        f"INSERT INTO feedback VALUES ('{fb.user}', {fb.rating}, '{fb.comment}');"
    )
    conn.close()
    return {"statusCode": 201, "body": json.dumps({"saved": fb.user})}
