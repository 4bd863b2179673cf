import yaml


def handler(event, context):
    steps = []
    for record in event["Records"]:
        spec = yaml.safe_load(record["body"])
        steps.extend(spec.get("steps", []))
    return {"steps": len(steps)}
