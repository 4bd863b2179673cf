from fetcher import download


def handler(event, context):
    sizes = []
    for record in event["Records"]:
        image = record["dynamodb"].get("NewImage")
        if not image:
            continue
        sizes.append(len(download(image["imageUrl"]["S"])))
    return sizes
