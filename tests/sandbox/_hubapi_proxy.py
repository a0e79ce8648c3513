"""A loopback HTTPS proxy that answers for ``api.hubapi.com`` with the sandbox, for released HubSpot
clients whose base URL is written into their code.

The third-party extractors on PyPI (singer-io's tap-hubspot, MeltanoLabs' tap-hubspot, Airbyte's
source-hubspot, ingestr's dlt source) all build their URLs from the literal ``https://api.hubapi.com``
and offer no setting for it. Rather than patch their code, the test starts them with the standard
proxy environment (``HTTPS_PROXY`` = this proxy, ``REQUESTS_CA_BUNDLE`` = this proxy's CA): the proxy
accepts ``CONNECT api.hubapi.com:443``, ends TLS with a certificate for that name signed by a CA made
for this run, and pipes the decrypted HTTP/1.1 bytes to the sandbox's plain-HTTP port unchanged. Every
other host is refused (403) and recorded, so nothing leaves the machine and the test can see it.
"""

from __future__ import annotations

import contextlib
import socket
import socketserver
import ssl
import subprocess
import threading
from pathlib import Path

HUBAPI = "api.hubapi.com"


def make_certificates(folder: Path) -> tuple[Path, Path, Path]:
    """A throwaway CA and a certificate for api.hubapi.com signed by it (openssl CLI).
    Returns (ca.pem, leaf.pem, leaf.key)."""
    folder.mkdir(parents=True, exist_ok=True)
    ca_key, ca, key, csr, leaf = (
        folder / n for n in ("ca.key", "ca.pem", "leaf.key", "leaf.csr", "leaf.pem")
    )
    ext = folder / "leaf.ext"
    ext.write_text(
        f"subjectAltName=DNS:{HUBAPI}\nbasicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n"
    )

    def run(*args: str) -> None:
        subprocess.run(["openssl", *args], check=True, capture_output=True)

    run("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(ca_key), "-out", str(ca),
        "-days", "2", "-subj", "/CN=hubspot_nb test CA", "-addext", "basicConstraints=critical,CA:TRUE",
        "-addext", "keyUsage=critical,keyCertSign,cRLSign")  # fmt: skip
    run(
        "req",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        str(key),
        "-out",
        str(csr),
        "-subj",
        f"/CN={HUBAPI}",
    )
    run("x509", "-req", "-in", str(csr), "-CA", str(ca), "-CAkey", str(ca_key), "-CAcreateserial",
        "-out", str(leaf), "-days", "2", "-extfile", str(ext))  # fmt: skip
    return ca, leaf, key


class HubapiProxy:
    """``with HubapiProxy(sandbox_port, folder) as proxy:`` then ``proxy.url`` / ``proxy.ca_bundle``."""

    def __init__(self, target_port: int, folder: Path) -> None:
        self.target_port = target_port
        self.ca_bundle, leaf, key = make_certificates(folder)
        self.context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self.context.load_cert_chain(leaf, key)
        self.refused: list[str] = []  # hosts a client tried to reach besides api.hubapi.com
        proxy = self

        class Handler(socketserver.BaseRequestHandler):
            def handle(self) -> None:
                proxy._handle(self.request)

        class Server(socketserver.ThreadingTCPServer):
            daemon_threads = True
            allow_reuse_address = True

        self.server = Server(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True, name="hubapi-proxy")

    def __enter__(self) -> HubapiProxy:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()

    def _handle(self, client: socket.socket) -> None:
        head = b""
        while b"\r\n\r\n" not in head:
            chunk = client.recv(4096)
            if not chunk:
                return
            head += chunk
        method, target, _ = head.split(b"\r\n", 1)[0].decode("latin-1").split(" ", 2)
        if method != "CONNECT" or target.rsplit(":", 1)[0] != HUBAPI:
            self.refused.append(f"{method} {target}")
            client.sendall(b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
            return
        client.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
        try:
            tls = self.context.wrap_socket(client, server_side=True)
        except (ssl.SSLError, OSError):
            return
        upstream = socket.create_connection(("127.0.0.1", self.target_port))

        def pump(src: socket.socket, dst: socket.socket) -> None:
            try:
                while data := src.recv(65536):
                    dst.sendall(data)
            except OSError:
                pass
            finally:  # one side is done: end both, so the other pump's recv returns too
                for s in (src, dst):
                    with contextlib.suppress(OSError):
                        s.shutdown(socket.SHUT_RDWR)

        back = threading.Thread(target=pump, args=(upstream, tls), daemon=True)
        back.start()
        pump(tls, upstream)
        back.join(timeout=5)
        upstream.close()
        tls.close()
