import json

import yaml


def lambda_handler(event, context):
    config = yaml.load(event["body"], Loader=yaml.SafeLoader)
    return {"statusCode": 200, "body": json.dumps({"keys": list(config)})}
