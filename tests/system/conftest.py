"""conftest.py: fixtures for the tests of khabar's images and compose stack: a Docker daemon (started
when none answers, stopped afterwards), the images of docker/ built on the local Debian 12 base,
and the integration tests' helpers (harness.py) for PostgreSQL clusters and HTTP."""
import os
import subprocess
import sys

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
REPO_ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(REPO_ROOT, "tests", "integration"))

DOCKER_SH = os.path.join(REPO_ROOT, "scripts", "docker.sh")


def docker_sh(*args, timeout=900):
    return subprocess.run([DOCKER_SH] + list(args), cwd=REPO_ROOT, stdin=subprocess.DEVNULL,
                          capture_output=True, text=True, timeout=timeout)


def root_is_a_mount():
    """Whether / is a mount point of its own, which dockerd needs to unpack image layers (it
    makes / private in a mount namespace): not so in a plain chroot."""
    with open("/proc/self/mountinfo", encoding="utf-8") as f:
        return any(line.split()[4] == "/" for line in f if len(line.split()) > 4)


@pytest.fixture(scope="session")
def images():
    """The images of docker/compose.yaml, built (dockerd started first when none answers).
    Building needs root, as dockerd does: the tests are skipped, and say so, for anyone else."""
    if os.geteuid() != 0 and subprocess.run(["docker", "info"], capture_output=True).returncode != 0:
        pytest.skip("no Docker daemon answers and only root can start one")
    if not root_is_a_mount():
        pytest.skip("the root directory is no mount point (a chroot): Docker cannot unpack images here")
    built = docker_sh("build")
    try:
        if built.returncode != 0:
            pytest.fail("scripts/docker.sh build exited %d:\n%s" % (built.returncode, built.stderr[-3000:]),
                        pytrace=False)
        yield
    finally:
        docker_sh("stop", timeout=120)
