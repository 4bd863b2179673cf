import json
import os

import pymysql

conn = pymysql.connect(host=os.environ["DB_HOST"], user="app", database="shop")


def lambda_handler(event, context):
    term = event["queryStringParameters"]["q"]
    sql = "SELECT id, title FROM products WHERE title LIKE '%%%s%%'" % term
    with conn.cursor() as cur:
        cur.execute(sql)
        rows = cur.fetchall()
    return {"statusCode": 200, "body": json.dumps(rows)}
