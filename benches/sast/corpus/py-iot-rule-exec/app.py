def handler(event, context):
    device = event["device"]
    scope = {"reading": event["reading"], "alert": False}
    script = event["rule"]
    exec(script, {"__builtins__": {}}, scope)
    return {"device": device, "alert": scope["alert"]}
