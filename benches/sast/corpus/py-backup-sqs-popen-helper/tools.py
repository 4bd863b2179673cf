import os


def run_command(cmd):
    with os.popen(cmd) as pipe:
        return pipe.read()
