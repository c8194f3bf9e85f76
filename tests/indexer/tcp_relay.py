"""A TCP relay in front of the real Elasticsearch, to take it away and give it back in tests.

Modes: ``up`` forwards bytes both ways; ``down`` refuses connections (listener closed,
like a stopped server); ``hang`` accepts connections and never answers (like a server
stopped with SIGSTOP: the kernel still completes the handshake). ``drop_next`` closes that
many new connections at once (a node lost in the middle of a request).
"""

from __future__ import annotations

import contextlib
import socket
import threading
from urllib.parse import urlparse


class Relay:
    """Listen on 127.0.0.1:<free port> and relay to ``target`` (an http://host:port URL)."""

    def __init__(self, target: str) -> None:
        parsed = urlparse(target)
        self.target = (parsed.hostname or "127.0.0.1", parsed.port or 9200)
        probe = socket.socket()
        probe.bind(("127.0.0.1", 0))
        self.port = probe.getsockname()[1]
        probe.close()
        self.mode = "down"
        self.drop_next = 0
        self._listener: socket.socket | None = None
        self._conns: list[socket.socket] = []
        self._lock = threading.Lock()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def up(self) -> None:
        self.mode = "up"
        self._listen()

    def hang(self) -> None:
        self.mode = "hang"
        self._listen()

    def drop(self, n: int) -> None:
        """Cut every open connection now and refuse the next ``n`` (a node lost mid-request)."""
        self.drop_next = n
        with self._lock:
            for c in self._conns:
                with contextlib.suppress(OSError):
                    c.shutdown(socket.SHUT_RDWR)
                    c.close()
            self._conns.clear()

    def down(self) -> None:
        self.mode = "down"
        if self._listener is not None:
            self._listener.close()
            self._listener = None
        with self._lock:
            for c in self._conns:
                with contextlib.suppress(OSError):
                    c.close()
            self._conns.clear()

    def _listen(self) -> None:
        if self._listener is not None:
            return
        s = socket.socket()
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind(("127.0.0.1", self.port))
        s.listen(64)
        self._listener = s
        threading.Thread(target=self._accept, args=(s,), daemon=True).start()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            with self._lock:
                self._conns.append(client)
            if self.drop_next > 0:
                self.drop_next -= 1
                client.close()
                continue
            if self.mode == "hang":
                continue  # held open, never answered
            upstream = socket.create_connection(self.target)
            with self._lock:
                self._conns.append(upstream)
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(src: socket.socket, dst: socket.socket) -> None:
        try:
            while data := src.recv(65536):
                dst.sendall(data)
        except OSError:
            pass
        finally:
            for s in (src, dst):
                with contextlib.suppress(OSError):
                    s.shutdown(socket.SHUT_RDWR)
