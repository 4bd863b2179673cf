import json
import os

PROFILE_DIR = "/mnt/efs/profiles"


def save_profile(handle, profile):
    os.makedirs(PROFILE_DIR, exist_ok=True)
    with open(os.path.join(PROFILE_DIR, handle + ".json"), "w") as fh:
        json.dump(profile, fh)
