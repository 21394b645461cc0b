"""A TCP relay between the dashboard and PostgreSQL that can be cut and restored: a database
outage as the application sees it (connections reset, new ones refused), without stopping a
server that other tests share. Used by the wall's browser test and its benchmark.

Example:
    >>> with relayed(database_url) as (relay, url):   # the dashboard connects to `url`
    ...     relay.cut(); ...; relay.restore()
"""

import contextlib
import socket
import threading
from collections.abc import Iterator

from psycopg.conninfo import conninfo_to_dict, make_conninfo

CHUNK = 65536


@contextlib.contextmanager
def relayed(url: str) -> Iterator[tuple["Relay", str]]:
    """A relay to the server of database `url`, and the URL of the same database through it."""
    params = conninfo_to_dict(url)
    with Relay(params.get("host") or "127.0.0.1", int(params.get("port") or 5432)) as relay:
        yield relay, make_conninfo(**{**params, "host": "127.0.0.1", "port": str(relay.port)})


class Relay:
    """Forwards connections from a local port to (host, port) until cut."""

    def __init__(self, host: str, port: int):
        self.target = (host, port)
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = self._listener.getsockname()[1]
        self._open = threading.Event()
        self._open.set()
        self._lock = threading.Lock()
        self._pairs: list[tuple[socket.socket, socket.socket]] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def __enter__(self) -> "Relay":
        return self

    def __exit__(self, *_exc) -> None:
        self.cut()
        _close(self._listener)  # shut down first, which wakes the thread blocked in accept()

    def cut(self) -> None:
        """Reset every relayed connection and refuse new ones (they are closed at once)."""
        self._open.clear()
        with self._lock:
            pairs, self._pairs = self._pairs, []
        for pair in pairs:
            for side in pair:
                _close(side)

    def restore(self) -> None:
        """Relay new connections again."""
        self._open.set()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return  # the listener was closed
            if not self._open.is_set():
                _close(client)
                continue
            try:
                server = socket.create_connection(self.target, timeout=5)
            except OSError:
                _close(client)
                continue
            server.settimeout(None)
            with self._lock:
                if not self._open.is_set():  # cut while this one was connecting
                    _close(client)
                    _close(server)
                    continue
                self._pairs = [pair for pair in self._pairs if pair[0].fileno() != -1]
                self._pairs.append((client, server))
            for source, sink in ((client, server), (server, client)):
                threading.Thread(target=_pump, args=(source, sink), daemon=True).start()


def _pump(source: socket.socket, sink: socket.socket) -> None:
    try:
        while chunk := source.recv(CHUNK):
            sink.sendall(chunk)
    except OSError:
        pass
    finally:
        _close(source)
        _close(sink)


def _close(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):  # already closed by the other side
        sock.shutdown(socket.SHUT_RDWR)
    sock.close()
