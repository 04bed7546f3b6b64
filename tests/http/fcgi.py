"""fcgi.py: a minimal FastCGI client (responder role) and a way to run one of our executables
as a lone FastCGI server on a unix socket, for tests that must talk to exactly one process
(memory over many requests, truncated bodies in FastCGI mode). Standard library only."""
import os
import socket
import struct
import subprocess
import tempfile

BEGIN, END, PARAMS, STDIN, STDOUT, STDERR = 1, 3, 4, 5, 6, 7


def _record(rtype, content, rid=1):
    pad = (8 - len(content) % 8) % 8
    return struct.pack(">BBHHBB", 1, rtype, rid, len(content), pad, 0) + content + b"\0" * pad


def _nv(name, value):
    out = b""
    for part in (name, value):
        n = len(part)
        out += bytes([n]) if n < 128 else struct.pack(">I", n | 0x80000000)
    return out + name + value


def request(path, params, body=b"", stdin_chunks=None):
    """Sends one request over a new connection; returns (stdout bytes, stderr bytes)."""
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(path)
    try:
        data = _record(BEGIN, struct.pack(">HB5x", 1, 0))
        pairs = b"".join(_nv(k.encode(), v.encode()) for k, v in params.items())
        for i in range(0, len(pairs), 65535):
            data += _record(PARAMS, pairs[i:i + 65535])
        data += _record(PARAMS, b"")
        chunks = stdin_chunks if stdin_chunks is not None else [body]
        for chunk in chunks:
            for i in range(0, len(chunk), 65535):
                data += _record(STDIN, chunk[i:i + 65535])
        data += _record(STDIN, b"")
        s.sendall(data)
        out, err, buf = b"", b"", b""
        while True:
            b = s.recv(65536)
            if not b:
                break
            buf += b
            while len(buf) >= 8:
                _, rtype, _, clen, plen, _ = struct.unpack(">BBHHBB", buf[:8])
                if len(buf) < 8 + clen + plen:
                    break
                content = buf[8:8 + clen]
                buf = buf[8 + clen + plen:]
                if rtype == STDOUT:
                    out += content
                elif rtype == STDERR:
                    err += content
                elif rtype == END:
                    return out, err
        return out, err
    finally:
        s.close()


class Server:
    """One executable serving FastCGI on a private unix socket (the socket is its stdin)."""

    def __init__(self, exe, env):
        self.dir = tempfile.mkdtemp(prefix="fcgi-")
        self.path = os.path.join(self.dir, "s.sock")
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.bind(self.path)
        self.sock.listen(16)
        self.log = open(os.path.join(self.dir, "stderr.log"), "wb")
        self.proc = subprocess.Popen([exe], stdin=self.sock.fileno(), stdout=subprocess.DEVNULL,
                                     stderr=self.log, env=env)

    def rss_kib(self):
        with open(f"/proc/{self.proc.pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
        raise AssertionError("no VmRSS")

    def close(self):
        self.proc.kill()
        self.proc.wait()
        self.sock.close()
        self.log.close()
        for name in os.listdir(self.dir):
            os.unlink(os.path.join(self.dir, name))
        os.rmdir(self.dir)
