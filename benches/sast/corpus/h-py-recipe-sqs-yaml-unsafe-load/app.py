import yaml


def handler(event, context):
    titles = []
    for record in event["Records"]:
        recipe = yaml.unsafe_load(record["body"])
        titles.append(recipe.get("title"))
    return {"titles": titles}
