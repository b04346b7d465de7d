"""Start the real OpenID Connect provider of tests/oidc_provider in a subprocess."""

import os
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import requests
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

ROOT = Path(__file__).resolve().parents[2]
CLIENT_ID = "vipdesk"
CLIENT_SECRET = "vipdesk-client-secret"  # noqa: S105
PASSWORD = "provider-password"  # noqa: S105


@dataclass
class Provider:
    base: str

    @property
    def issuer(self) -> str:
        return f"{self.base}/o"

    def setup(self, **data) -> None:
        requests.post(f"{self.base}/test/setup", json=data, timeout=10).raise_for_status()

    def user(self, username: str, *groups: str, **fields) -> None:
        self.setup(users=[{"username": username, "password": PASSWORD, "groups": groups, **fields}])

    def client(self, client_id: str, secret: str, *redirect_uris: str, logout_uris=()) -> None:
        self.setup(
            clients=[
                {
                    "client_id": client_id,
                    "client_secret": secret,
                    "redirect_uris": redirect_uris,
                    "post_logout_redirect_uris": logout_uris,
                }
            ]
        )


def rsa_key_pem() -> bytes:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(directory: Path) -> tuple[subprocess.Popen, Provider]:
    key = directory / "provider-key.pem"
    key.write_bytes(rsa_key_pem())
    port = free_port()
    env = {
        **os.environ,
        "OIDC_PROVIDER_DB": str(directory / "provider.sqlite3"),
        "OIDC_PROVIDER_KEY": str(key),
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)
    process = subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "tests.oidc_provider", str(port)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    provider = Provider(f"http://127.0.0.1:{port}")
    deadline = time.monotonic() + 30
    while True:
        try:
            requests.get(f"{provider.issuer}/.well-known/openid-configuration", timeout=1)
            return process, provider
        except requests.ConnectionError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                raise RuntimeError("the test OIDC provider did not start") from None
            time.sleep(0.2)
