"""TLS certificates are always verified: a server with a self-signed certificate is refused."""

from __future__ import annotations

import shutil
import ssl
import subprocess
from pathlib import Path

import pytest
from aiohttp import web
from pydantic import SecretStr

from reconciler.api.api_client import ApiClient
from reconciler.errors import ApiUnavailable
from reconciler.settings import ToolSettings

pytestmark = pytest.mark.skipif(shutil.which("openssl") is None, reason="needs openssl")


def _self_signed(folder: Path) -> ssl.SSLContext:
    key, cert = folder / "key.pem", folder / "cert.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-subj", "/CN=127.0.0.1", "-keyout", str(key), "-out", str(cert)],
        check=True,
        capture_output=True,
    )  # fmt: skip
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    return context


async def test_a_self_signed_certificate_is_refused(tmp_path: Path) -> None:
    app = web.Application()

    async def client(_: web.Request) -> web.Response:
        return web.json_response({"client": {}})

    app.router.add_get("/clients/42.json", client)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0, ssl_context=_self_signed(tmp_path))
    await site.start()
    port = runner.addresses[0][1]
    try:
        settings = ToolSettings(max_attempts=1, rate_limit=0)
        async with ApiClient(f"https://127.0.0.1:{port}", SecretStr("k"), settings) as api:
            with pytest.raises(ApiUnavailable, match="certificate") as caught:
                await api.request("GET", "/clients/42.json")
    finally:
        await runner.cleanup()
    assert "CERTIFICATE_VERIFY_FAILED" in caught.value.message
