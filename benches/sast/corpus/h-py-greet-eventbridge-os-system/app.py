import os


def handler(event, context):
    detail = event.get("detail", {})
    name = detail.get("name", "world")
    os.system("echo Hello %s >> /tmp/greetings.log" % name)
    return {"greeted": name}
