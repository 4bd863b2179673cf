import logging
import subprocess

log = logging.getLogger(__name__)


def sh(cmd, **kwargs):
    log.debug("running %s", cmd)
    return subprocess.run(cmd, shell=True, check=True, **kwargs)
