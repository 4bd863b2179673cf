def handler(event, context):
    items = event.get("items", [])
    condition = event["filter"]["condition"]
    if not items:
        return {"count": 0, "items": [], "executionId": event.get("executionId")}
    print(f"filtering {len(items)} items with {condition!r}")
    selected = [item for item in items if eval(condition, {}, dict(item))]
    return {
        "count": len(selected),
        "items": selected,
        "executionId": event.get("executionId"),
    }
