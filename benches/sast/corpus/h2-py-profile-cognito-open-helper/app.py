import storage


def handler(event, context):
    if event["triggerSource"] != "PreSignUp_SignUp":
        return event
    attrs = event["request"]["userAttributes"]
    profile = {"email": attrs.get("email"), "nickname": attrs.get("custom:nickname", "")}
    storage.save_profile(attrs.get("custom:handle") or event["userName"], profile)
    event["response"]["autoConfirmUser"] = False
    return event
