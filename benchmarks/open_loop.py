"""A lean HTTP/1.1 load client for the benchmarks: one asyncio loop, raw keep-alive sockets.

The servers under test share the machine's cores with the client, so the client must cost little:
a thread per client (http.client) costs several times the CPU of one event loop writing
pre-built requests and reading the answers' heads. Requests are plain bytes; the answer is read
up to its head and its Content-Length (or chunks), no more parsing than the benchmark needs.

`open_loop` sends request i at start + i/rate whatever happened before and counts its latency
from that scheduled time, so a slow server cannot hide its queue (no coordinated omission): a
request due while every connection is busy opens a new one, as another browser would.
"""

import asyncio
import time


class Answer:
    __slots__ = ("status", "headers", "body")

    def __init__(self, status, headers, body):
        self.status, self.headers, self.body = status, headers, body

    def header(self, name):
        return self.headers.get(name.lower(), "")


def request_bytes(method, path, *, body=b"", headers=()):
    lines = [f"{method} {path} HTTP/1.1", "Host: 127.0.0.1"]
    lines += [f"{k}: {v}" for k, v in headers]
    if body or method == "POST":
        lines.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


class Connection:
    def __init__(self, port):
        self.port = port
        self.reader = self.writer = None

    async def send(self, data):
        """Send one request; reconnects once if the server closed an idle connection."""
        for attempt in (1, 2):
            if self.writer is None:
                self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)
            try:
                self.writer.write(data)
                return await self._answer()
            except (ConnectionError, asyncio.IncompleteReadError):
                self.close()
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    async def _answer(self):
        head = await self.reader.readuntil(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split(" ", 2)[1])
        headers = {}
        for line in lines[1:]:
            if ":" in line:
                k, v = line.split(":", 1)
                headers[k.strip().lower()] = v.strip()
        if "content-length" in headers:
            body = await self.reader.readexactly(int(headers["content-length"]))
        elif headers.get("transfer-encoding", "").lower() == "chunked":
            parts = []
            while True:
                size = int((await self.reader.readuntil(b"\r\n")).split(b";")[0], 16)
                parts.append(await self.reader.readexactly(size + 2))
                if size == 0:
                    break
            body = b"".join(p[:-2] for p in parts)
        else:
            body = await self.reader.read()
            self.close()
        if headers.get("connection", "").lower() == "close":
            self.close()
        return Answer(status, headers, body)

    def close(self):
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None


class Pool:
    """Idle keep-alive connections, spread over the servers' ports as a load balancer would."""

    def __init__(self, ports):
        self.ports, self.idle, self.opened = list(ports), [], 0

    def take(self):
        if self.idle:
            return self.idle.pop()
        self.opened += 1
        return Connection(self.ports[self.opened % len(self.ports)])

    def give_back(self, conn):
        if conn.writer is not None:
            self.idle.append(conn)

    def close(self):
        for conn in self.idle:
            conn.close()


async def _one(pool, data, due):
    conn = pool.take()
    try:
        answer = await conn.send(data)
    except (OSError, asyncio.IncompleteReadError):
        conn.close()
        return None, time.perf_counter() - due
    pool.give_back(conn)
    return answer, time.perf_counter() - due


def open_loop(ports, requests, rate):
    """Send each request (bytes) at its scheduled time. Returns (results, seconds, client CPU s,
    connections opened); results are (Answer or None, seconds from the scheduled time)."""

    async def run():
        pool = Pool(ports)
        loop = asyncio.get_running_loop()
        start = loop.time() + 0.2
        offset = time.perf_counter() - loop.time()
        tasks = []
        for i, data in enumerate(requests):
            due = start + i / rate
            pause = due - loop.time()
            if pause > 0:
                await asyncio.sleep(pause)
            tasks.append(asyncio.ensure_future(_one(pool, data, due + offset)))
        results = await asyncio.gather(*tasks)
        pool.close()
        return results, loop.time() - start, pool.opened

    cpu = time.process_time()
    results, seconds, opened = asyncio.run(run())
    return results, seconds, time.process_time() - cpu, opened


def closed_loop(ports, requests, clients):
    """`clients` connections each sending its next request as soon as the last is answered.
    Returns (results, seconds, client CPU s); results as open_loop's, in the requests' order,
    latency from sending."""

    async def run():
        queue = list(reversed(range(len(requests))))
        results = [None] * len(requests)

        async def client(port):
            conn = Connection(port)
            while queue:
                i = queue.pop()
                sent = time.perf_counter()
                try:
                    answer = await conn.send(requests[i])
                except (OSError, asyncio.IncompleteReadError):
                    conn.close()
                    answer = None
                results[i] = (answer, time.perf_counter() - sent)
            conn.close()

        started = time.perf_counter()
        await asyncio.gather(*(client(ports[i % len(ports)]) for i in range(clients)))
        return results, time.perf_counter() - started

    cpu = time.process_time()
    results, seconds = asyncio.run(run())
    return results, seconds, time.process_time() - cpu
