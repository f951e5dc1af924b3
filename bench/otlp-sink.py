#!/usr/bin/env python3
"""An OTLP/HTTP receiver that accepts and drops everything: the far end of the service's span exporter in
bench/observability.sh, so tracing is measured with its export, not with an exporter failing to connect.
Counts the export requests and bytes it received, printed on SIGTERM."""
import signal, sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

received = {"requests": 0, "bytes": 0}

class Sink(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_POST(self):
        length = int(self.headers.get("Content-Length", 0))
        self.rfile.read(length)
        received["requests"] += 1
        received["bytes"] += length
        self.send_response(200)
        self.send_header("Content-Type", "application/x-protobuf")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass

def stop(*_):
    print(f"otlp-sink: {received['requests']} export requests, {received['bytes']} bytes", flush=True)
    sys.exit(0)

signal.signal(signal.SIGTERM, stop)
ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Sink).serve_forever()
