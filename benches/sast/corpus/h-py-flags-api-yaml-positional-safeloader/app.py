import yaml


def lambda_handler(event, context):
    flags = yaml.load(event["body"], yaml.SafeLoader)
    enabled = sorted(k for k, v in (flags or {}).items() if v)
    return {"statusCode": 200, "body": ",".join(enabled)}
