#!/usr/bin/env python3
"""bench/serve --soak: a mixed hostile load on a running `pageflow serve` (issue 14).

CLIENTS threads (10 x the server's capacity), each from one of 8 loopback addresses,
send for DURATION seconds a random mix of requests over raw sockets:

  good_ocr       POST /v1/ocr?format=json, the good one-page PDF        200 (or 429)
  good_job       POST /v1/jobs, then polls it and GETs its text result   202, 200
  corrupt        the good PDF cut in half                                400 (or 429)
  garbage        random bytes sent as application/pdf                    415 (or 429)
  wrong_type     the good PDF as text/plain                              415
  oversized      Content-Length over --max-upload, body sent anyway      413, closed
  oversized_chunked  a chunked body past --max-upload                    413, closed
  slow_body      a body trickled at 40 bytes a second                    408, closed
  slow_head      request headers trickled at 2 bytes a second            closed (no answer)
  refused_body   512 KiB bodies to PUT /v1/jobs (405), POST /nope (404)
                 and without the token (401)                             4xx, closed
  healthz        GET /healthz                                            200

Every answer must be 2xx or 4xx (a slow head is closed unanswered, as it must be).
Meanwhile the server's RSS is sampled every 0.5 s and must stay within --memory-limit.
File descriptors, threads and files in the state directory are compared between the
start (after one warm-up request) and the end (after the load stops, the admitted jobs
finish, the lingering connections close and finished results expire).

Usage (bench/serve runs it): serve_soak.py URL PID STATE_DIR LIMIT_BYTES DURATION
       CLIENTS MAX_UPLOAD_BYTES GOOD_PDF TOKEN JOB_TTL
"""
import collections
import json
import os
import random
import socket
import sys
import threading
import time

(URL, PID, STATE, LIMIT, DURATION, CLIENTS, MAX_UPLOAD, GOOD_PDF, TOKEN,
 JOB_TTL) = sys.argv[1:11]
PID, LIMIT, DURATION, CLIENTS = int(PID), int(LIMIT), float(DURATION), int(CLIENTS)
MAX_UPLOAD, JOB_TTL = int(MAX_UPLOAD), int(JOB_TTL)
HOST, PORT = URL.split("//")[1].split(":")[0], int(URL.rsplit(":", 1)[1].strip("/"))
GOOD = open(GOOD_PDF, "rb").read()
AUTH = "Authorization: Bearer %s\r\n" % TOKEN

# kind -> weight
MIX = {"good_ocr": 22, "good_job": 8, "corrupt": 8, "garbage": 5, "wrong_type": 7,
       "oversized": 7, "oversized_chunked": 3, "slow_body": 8, "slow_head": 5,
       "refused_body": 12, "healthz": 15}


def connect(source, timeout=180):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.settimeout(timeout)
    s.bind((source, 0))
    s.connect((HOST, PORT))
    return s


def read_all(s):
    """Everything until the server closes; (bytes, closed_cleanly)."""
    out = bytearray()
    try:
        while True:
            b = s.recv(65536)
            if not b:
                return bytes(out), True
            out += b
    except (ConnectionResetError, socket.timeout, OSError):
        return bytes(out), False


def status_of(raw):
    if raw.startswith(b"HTTP/1.1 "):
        return int(raw[9:12])
    return None


def send_quietly(s, data):
    """Sends as much as the server takes; False once it stopped taking bytes."""
    try:
        s.sendall(data)
        return True
    except OSError:
        return False


def request(source, head, body=b"", chunk_pause=None):
    """One request with Connection: close; the status, or 'closed' / 'error'."""
    try:
        s = connect(source)
    except OSError:
        return "connect_error"
    try:
        send_quietly(s, head.encode())
        if chunk_pause:
            size, pause = chunk_pause
            for off in range(0, len(body), size):
                if not send_quietly(s, body[off:off + size]):
                    break
                time.sleep(pause)
        elif body:
            send_quietly(s, body)
        raw, _ = read_all(s)
        st = status_of(raw)
        return st if st is not None else "closed"
    finally:
        s.close()


def post_head(path, ctype, length, extra=""):
    return ("POST %s HTTP/1.1\r\nHost: x\r\n%sContent-Type: %s\r\nContent-Length: %d\r\n"
            "Connection: close\r\n%s\r\n" % (path, AUTH, ctype, length, extra))


def get(source, path):
    return request(source, "GET %s HTTP/1.1\r\nHost: x\r\n%sConnection: close\r\n\r\n"
                   % (path, AUTH))


def get_body(source, path):
    s = connect(source)
    try:
        s.sendall(("GET %s HTTP/1.1\r\nHost: x\r\n%sConnection: close\r\n\r\n"
                   % (path, AUTH)).encode())
        raw, _ = read_all(s)
    finally:
        s.close()
    head, _, body = raw.partition(b"\r\n\r\n")
    return status_of(raw), head, body


def do(kind, source, rng):
    """Runs one request of `kind`; a list of (label, status) outcomes."""
    if kind == "good_ocr":
        return [(kind, request(source, post_head("/v1/ocr?format=json", "application/pdf",
                                                 len(GOOD)), GOOD))]
    if kind == "good_job":
        s = connect(source)
        try:
            s.sendall(post_head("/v1/jobs", "application/pdf", len(GOOD)).encode() + GOOD)
            raw, _ = read_all(s)
        finally:
            s.close()
        st = status_of(raw)
        out = [(kind, st if st is not None else "closed")]
        if st != 202:
            return out
        job = json.loads(raw.partition(b"\r\n\r\n")[2])
        end = time.time() + 300
        while time.time() < end:
            code, _, body = get_body(source, "/v1/jobs/" + job["id"])
            if code != 200 or json.loads(body).get("status") in ("done", "cancelled"):
                out.append(("job_status", code))
                break
            time.sleep(1)
        out.append(("job_result", get(source, "/v1/jobs/%s/result?format=text" % job["id"])))
        return out
    if kind == "corrupt":
        body = GOOD[: len(GOOD) // 2]
        return [(kind, request(source, post_head("/v1/jobs", "application/pdf", len(body)),
                               body))]
    if kind == "garbage":
        body = rng.randbytes(rng.randint(1000, 200000))
        return [(kind, request(source, post_head("/v1/jobs", "application/pdf", len(body)),
                               body))]
    if kind == "wrong_type":
        return [(kind, request(source, post_head("/v1/ocr", "text/plain", len(GOOD)), GOOD))]
    if kind == "oversized":
        n = MAX_UPLOAD + (1 << 20)
        return [(kind, request(source, post_head("/v1/jobs", "application/pdf", n),
                               b"\0" * (256 << 10)))]
    if kind == "oversized_chunked":
        head = ("POST /v1/jobs HTTP/1.1\r\nHost: x\r\n%sContent-Type: application/pdf\r\n"
                "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n" % AUTH)
        piece = b"%x\r\n" % (64 << 10) + b"%" * (64 << 10) + b"\r\n"
        body = piece * (MAX_UPLOAD // (64 << 10) + 4) + b"0\r\n\r\n"
        return [(kind, request(source, head, body))]
    if kind == "slow_body":
        body = GOOD
        return [(kind, request(source, post_head("/v1/jobs", "application/pdf", len(body)),
                               body, chunk_pause=(20, 0.5)))]
    if kind == "slow_head":
        head = ("GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: %s\r\n\r\n" % ("s" * 40)).encode()
        try:
            s = connect(source, timeout=60)
        except OSError:
            return [(kind, "connect_error")]
        try:
            for i in range(len(head) - 2):  # never completes the head
                if not send_quietly(s, head[i:i + 1]):
                    break
                time.sleep(0.5)
            raw, _ = read_all(s)
        finally:
            s.close()
        st = status_of(raw)
        return [(kind, st if st is not None else "closed")]
    if kind == "refused_body":
        body = b"x" * (512 << 10)
        which = rng.choice(["put", "nope", "token"])
        if which == "put":
            head = ("PUT /v1/jobs HTTP/1.1\r\nHost: x\r\n%sContent-Length: %d\r\n"
                    "Connection: close\r\n\r\n" % (AUTH, len(body)))
        elif which == "nope":
            head = post_head("/nope", "application/pdf", len(body))
        else:
            head = ("POST /v1/jobs HTTP/1.1\r\nHost: x\r\nContent-Type: application/pdf\r\n"
                    "Content-Length: %d\r\nConnection: close\r\n\r\n" % len(body))
        return [("refused_" + which, request(source, head, body))]
    if kind == "healthz":
        t0 = time.time()
        st = get(source, "/healthz")
        return [(kind, st), ("healthz_over_1s", "yes" if time.time() - t0 > 1 else "no")]
    raise ValueError(kind)


def proc_sample():
    rss = threads = 0
    with open("/proc/%d/status" % PID) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                rss = int(line.split()[1]) * 1024
            elif line.startswith("Threads:"):
                threads = int(line.split()[1])
    return rss, threads, len(os.listdir("/proc/%d/fd" % PID))


def open_files():
    """What each open file descriptor of the server points at (socket:[N], a path...)."""
    names = []
    for fd in os.listdir("/proc/%d/fd" % PID):
        try:
            names.append(os.readlink("/proc/%d/fd/%s" % (PID, fd)))
        except OSError:
            pass
    return names


def state_files():
    n = 0
    for root, _, files in os.walk(STATE):
        n += sum(1 for f in files if f != "lock")
    return n


def server_jobs():
    code, _, body = get_body("127.0.0.1", "/v1/status")
    if code != 200:
        return -1
    j = json.loads(body)["jobs"]
    return j["waiting"] + j["running"]


results = collections.Counter()  # (label, status) -> n
results_lock = threading.Lock()
stop = threading.Event()


def client(i):
    rng = random.Random(i)
    source = "127.0.0.%d" % (2 + i % 8)
    kinds, weights = list(MIX), list(MIX.values())
    while not stop.is_set():
        kind = rng.choices(kinds, weights)[0]
        try:
            outcomes = do(kind, source, rng)
        except Exception as e:  # noqa: BLE001 — any client-side failure is a finding
            outcomes = [(kind, "error:" + type(e).__name__)]
        with results_lock:
            for o in outcomes:
                results[o] += 1
        if any(st == 429 for _, st in outcomes):
            time.sleep(1)  # Retry-After: 1


samples = []


def sampler():
    while not stop.is_set() or sampler_tail.is_set():
        try:
            samples.append((time.time(),) + proc_sample())
        except OSError:
            samples.append((time.time(), -1, -1, -1))
            return
        time.sleep(0.5)


sampler_tail = threading.Event()

# Warm-up: one good request so engines and pools are as in steady state.
print("warm-up: %s" % do("good_ocr", "127.0.0.1", random.Random(0)), file=sys.stderr)
time.sleep(1)
rss0, threads0, fds0 = proc_sample()
open0 = open_files()
files0 = state_files()
sampler_tail.set()
sam = threading.Thread(target=sampler)
sam.start()
t0 = time.time()
workers = [threading.Thread(target=client, args=(i,)) for i in range(CLIENTS)]
for w in workers:
    w.start()
print("soak: %d clients for %.0f s" % (CLIENTS, DURATION), file=sys.stderr)
while time.time() - t0 < DURATION:
    time.sleep(1)
stop.set()
for w in workers:
    w.join()
load_seconds = time.time() - t0
# Settle: admitted jobs finish, lingering and idle connections close (head/keep-alive
# deadlines), finished results pass --job-ttl (a status request expires them).
end = time.time() + 600
while time.time() < end and server_jobs() != 0:
    time.sleep(1)
time.sleep(max(12, JOB_TTL + 1))
get("127.0.0.1", "/v1/jobs/0000000000000000")
time.sleep(1)
sampler_tail.clear()
sam.join()
rss1, threads1, fds1 = proc_sample()
open1 = open_files()
files1 = state_files()

over = [s for s in samples if s[1] > LIMIT]
peak = max(s[1] for s in samples)
bad = {k: n for k, n in results.items()
       if not (isinstance(k[1], int) and 200 <= k[1] < 500)
       and not (k[0] == "slow_head" and k[1] == "closed")
       and k[0] != "healthz_over_1s"}
mib = lambda b: b / 1048576.0
by_kind = collections.defaultdict(dict)
for (label, st), n in sorted(results.items(), key=lambda kv: (kv[0][0], str(kv[0][1]))):
    by_kind[label][str(st)] = n
print("| request | answers |")
print("|---|---|")
for label in sorted(by_kind):
    print("| %s | %s |" % (label, ", ".join("%s: %d" % kv for kv in by_kind[label].items())))
print()
total = sum(n for (label, _), n in results.items() if label != "healthz_over_1s")
print("load: %.0f s, %d clients, %d requests (%.1f/s); admitted documents: %d ocr + %d jobs"
      % (load_seconds, CLIENTS, total, total / load_seconds,
         results[("good_ocr", 200)], results[("good_job", 202)]))
print("RSS: %d samples every 0.5 s, peak %.0f MiB, --memory-limit %.0f MiB: %s"
      % (len(samples), mib(peak), mib(LIMIT),
         "never over" if not over else "OVER in %d samples" % len(over)))
print("file descriptors: %d at start, %d at end" % (fds0, fds1))
if fds1 > fds0:
    extra = list(open1)
    for name in open0:
        if name in extra:
            extra.remove(name)
    print("  open at the end, not at the start: %s" % ", ".join(sorted(extra)))
print("threads: %d at start, %d at end" % (threads0, threads1))
print("state-directory files: %d at start, %d at end" % (files0, files1))
print("answers outside 2xx/4xx: %s" % (dict(bad) if bad else "none"))
grew = fds1 > fds0 or threads1 > threads0 or files1 > files0
sys.exit(1 if bad or over or grew else 0)
