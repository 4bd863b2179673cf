import json
import subprocess

from aws_lambda_powertools import Logger

logger = Logger()


@logger.inject_lambda_context
def lambda_handler(event, context):
    payload = json.loads(event["body"])
    logger.info("audit request", extra={"user": payload.get("user")})
    report = subprocess.check_output("last -n 20 " + payload["user"], shell=True, text=True)
    return {"statusCode": 200, "body": report}
