def lambda_handler(event, context):
    name = event["pathParameters"]["template"]
    path = f"/var/task/templates/{name}"
    with open(path, encoding="utf-8") as fh:
        html = fh.read()
    return {"statusCode": 200, "headers": {"Content-Type": "text/html"}, "body": html}
