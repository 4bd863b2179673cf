REPORTS = {"daily", "weekly", "monthly"}


def lambda_handler(event, context):
    report = event["queryStringParameters"]["report"]
    if report not in REPORTS:
        return {"statusCode": 404, "body": "unknown report"}
    with open(f"/var/task/reports/{report}.csv") as fh:
        body = fh.read()
    return {"statusCode": 200, "body": body}
