"""The Python peer of bench/bench_lock.c: multiprocessing.Lock.

Usage: python3 peer_lock.py PROCS N
PROCS = 1: one process acquires and releases N times.
PROCS = 2: two processes each increment a shared counter N times under the
lock (the total is checked).
Prints "ops_per_s <rate>" (acquire+release pairs per second, all processes).
"""
import multiprocessing as mp
import sys
import time


def contend(lock, counter, n, start):
    start.wait()
    for _ in range(n):
        with lock:
            counter.value += 1


def main():
    procs, n = int(sys.argv[1]), int(sys.argv[2])
    lock = mp.Lock()
    if procs == 1:
        t0 = time.perf_counter()
        for _ in range(n):
            lock.acquire()
            lock.release()
        t1 = time.perf_counter()
    else:
        counter = mp.RawValue('q', 0)
        start = mp.Event()
        ps = [mp.Process(target=contend, args=(lock, counter, n, start))
              for _ in range(procs)]
        for p in ps:
            p.start()
        time.sleep(0.2)
        t0 = time.perf_counter()
        start.set()
        for p in ps:
            p.join()
        t1 = time.perf_counter()
        if counter.value != procs * n:
            print("miscounted", counter.value, procs * n)
            return 1
    print("ops_per_s %.1f" % (procs * n / (t1 - t0)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
