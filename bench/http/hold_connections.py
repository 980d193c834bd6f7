#!/usr/bin/env python3
"""Opens N keep-alive connections to the bench server, sends one request on
each (so every connection has been parsed and answered, as a real idle
keep-alive client's would), holds them all open, and reports the server's
resident memory before and after.

  hold_connections.py PORT N SERVER_PID REQUEST_FILE

REQUEST_FILE holds one complete HTTP/1.1 request (keep-alive). Prints
"rss_before_kb=.. rss_after_kb=.. open=.. kb_per_connection=..".
Standard library only.
"""
import socket
import sys
import time


def rss_kb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def read_response(s):
    buf = b""
    while b"\r\n\r\n" not in buf:
        chunk = s.recv(65536)
        if not chunk:
            raise ConnectionError("closed before the response")
        buf += chunk
    head, _, rest = buf.partition(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value.strip())
    while len(rest) < length:
        chunk = s.recv(65536)
        if not chunk:
            raise ConnectionError("closed inside the body")
        rest += chunk
    return head.split(b" ")[1]


def main():
    port, n, pid, request_file = (int(sys.argv[1]), int(sys.argv[2]),
                                  int(sys.argv[3]), sys.argv[4])
    request = open(request_file, "rb").read()
    time.sleep(0.2)
    before = rss_kb(pid)
    socks = []
    statuses = {}
    t0 = time.time()
    for i in range(n):
        s = socket.create_connection(("127.0.0.1", port))
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        s.sendall(request)
        st = read_response(s)
        statuses[st] = statuses.get(st, 0) + 1
        socks.append(s)
    elapsed = time.time() - t0
    time.sleep(0.5)
    after = rss_kb(pid)
    # All still open? A closed connection reads EOF without blocking.
    alive = 0
    for s in socks:
        s.setblocking(False)
        try:
            if s.recv(1) == b"":
                continue
        except BlockingIOError:
            pass
        alive += 1
    for s in socks:
        s.close()
    print(f"rss_before_kb={before} rss_after_kb={after} open={alive} "
          f"statuses={ {k.decode(): v for k, v in statuses.items()} } "
          f"connect_s={elapsed:.1f} "
          f"kb_per_connection={(after - before) / n:.2f}")


if __name__ == "__main__":
    main()
