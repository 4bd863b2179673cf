import os


def handler(event, context):
    mail = event["Records"][0]["ses"]["mail"]
    subject = mail["commonHeaders"]["subject"]
    os.makedirs("/tmp/mail", exist_ok=True)
    target = "/tmp/mail/" + subject + ".eml"
    with open(target, "w") as out:
        out.write(mail["messageId"])
    return {"saved": target}
