"""A slow SMTP relay for the fault tests: forwards to the SMTP sink, each line of the client's
late by ``delay_s`` (a relay that takes a second or more per message, as a remote one under
load does). What it forwards arrives in the sink's inbox as usual."""

import socket
import threading
import time


class SlowSmtp:
    def __init__(self, host: str, port: int, delay_s: float):
        self.target, self.delay_s = (host, port), delay_s
        self.server = socket.create_server(("127.0.0.1", 0))
        self.port = self.server.getsockname()[1]
        self.closed = False
        threading.Thread(target=self._accept, name="slow-smtp", daemon=True).start()

    def _accept(self) -> None:
        while not self.closed:
            try:
                client, _ = self.server.accept()
            except OSError:
                return
            upstream = socket.create_connection(self.target)
            threading.Thread(target=self._pipe, args=(client, upstream, self.delay_s),
                             daemon=True).start()
            threading.Thread(target=self._pipe, args=(upstream, client, 0.0),
                             daemon=True).start()

    @staticmethod
    def _pipe(source: socket.socket, sink: socket.socket, delay_s: float) -> None:
        try:
            while chunk := source.recv(65536):
                time.sleep(delay_s)
                sink.sendall(chunk)
        except OSError:
            pass
        finally:
            for end in (source, sink):
                try:
                    end.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def close(self) -> None:
        self.closed = True
        self.server.close()
