import json


def handler(event, context):
    msg = json.loads(event["Records"][0]["Sns"]["Message"])
    condition = msg["filter"]
    code = compile(condition, "<filter>", "eval")
    rows = [{"amount": 5}, {"amount": 500}]
    return [row for row in rows if eval(code, {}, row)]
