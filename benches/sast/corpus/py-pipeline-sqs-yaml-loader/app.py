import yaml


def handler(event, context):
    steps = []
    for record in event["Records"]:
        spec = yaml.load(record["body"], Loader=yaml.Loader)
        steps.extend(spec.get("steps", []))
    return {"steps": len(steps)}
