"""peer_queue.py - Python's multiprocessing.Queue in the scenarios of
bench/bench_queue.c, which runs it natively as one of its peers:

    python3 peer_queue.py NPROD N SIZE [simple]

runs NPROD producer and NPROD consumer processes (start method "spawn", as
xipc's), each producer putting N messages of SIZE bytes (bytes objects)
and a stop message; with NPROD 0, a ping and a pong process bounce N
messages through two queues. Every message carries its producer and number;
the consumers check each producer's numbers increase and the count and the
sum of the numbers add up. With "simple", multiprocessing.SimpleQueue is
measured instead of Queue. Prints one line: "rate MSGS_PER_S",
"pingpong MEDIAN_NS P99_NS", or "bad" if a check failed. The clock starts
when every process is ready.
"""
import multiprocessing as mp
import struct
import sys
import time

STOP = 0xFFFFFFFF


def producer(q, pid, n, size, barrier):
    pad = b"\x5a" * (size - 8)
    barrier.wait()
    for seq in range(n):
        q.put(struct.pack("<II", pid, seq) + pad)
    q.put(struct.pack("<II", STOP, 0) + pad)


def consumer(q, size, barrier, results):
    last, count, total, bad = {}, 0, 0, False
    barrier.wait()
    while True:
        m = q.get()
        pid, seq = struct.unpack_from("<II", m)
        if len(m) != size:
            bad = True
        if pid == STOP:
            break
        if seq <= last.get(pid, -1):
            bad = True
        last[pid] = seq
        count += 1
        total += seq
    results.put((count, total, bad, time.monotonic_ns()))


def ping(qa, qb, n, size, barrier, results):
    pad = b"\x5a" * (size - 8)
    lat, bad = [], False
    barrier.wait()
    for seq in range(n):
        m = struct.pack("<II", 0, seq) + pad
        t0 = time.monotonic_ns()
        qa.put(m)
        if qb.get() != m:
            bad = True
        lat.append(time.monotonic_ns() - t0)
    lat.sort()
    results.put((lat[len(lat) // 2], lat[len(lat) * 99 // 100], bad))


def pong(qa, qb, n, barrier):
    barrier.wait()
    for _ in range(n):
        qb.put(qa.get())


def main():
    nprod, n, size = (int(a) for a in sys.argv[1:4])
    ctx = mp.get_context("spawn")
    # "simple": multiprocessing.SimpleQueue (a pipe and a lock, no feeder
    # thread) in place of Queue.
    make = ctx.SimpleQueue if sys.argv[4:5] == ["simple"] else ctx.Queue
    results = ctx.Queue()
    if nprod == 0:
        qa, qb = make(), make()
        barrier = ctx.Barrier(3)
        procs = [ctx.Process(target=ping,
                             args=(qa, qb, n, size, barrier, results)),
                 ctx.Process(target=pong, args=(qa, qb, n, barrier))]
    else:
        q = make()
        barrier = ctx.Barrier(2 * nprod + 1)
        procs = [ctx.Process(target=producer, args=(q, p, n, size, barrier))
                 for p in range(nprod)]
        procs += [ctx.Process(target=consumer,
                              args=(q, size, barrier, results))
                  for _ in range(nprod)]
    for p in procs:
        p.start()
    barrier.wait()
    t0 = time.monotonic_ns()
    if nprod == 0:
        med, p99, bad = results.get()
        out = "bad" if bad else "pingpong %d %d" % (med, p99)
    else:
        got = [results.get() for _ in range(nprod)]
        count = sum(g[0] for g in got)
        total = sum(g[1] for g in got)
        end = max(g[3] for g in got)
        bad = (any(g[2] for g in got) or count != nprod * n or
               total != nprod * n * (n - 1) // 2)
        out = "bad" if bad else "rate %.1f" % (count / ((end - t0) / 1e9))
    for p in procs:
        p.join()
    print(out)


if __name__ == "__main__":
    main()
