"""The Python peer of bench/bench_sem.c: multiprocessing.Semaphore and
multiprocessing.Event.

Usage: python3 peer_sem.py MODE N
MODE sem:     one process acquires and releases a Semaphore N times.
MODE handoff: two processes pass a unit back and forth N times through two
              Semaphore(0) (one round trip: a release and an acquire on
              each side).
MODE event:   one process waits N times on an Event that is set.
Prints "ops_per_s <rate>" (pairs, round trips or waits per second).
"""
import multiprocessing as mp
import sys
import time


def pong(s1, s2, n, ready):
    ready.release()
    for _ in range(n):
        s1.acquire()
        s2.release()


def main():
    mode, n = sys.argv[1], int(sys.argv[2])
    if mode == "sem":
        s = mp.Semaphore(1)
        t0 = time.perf_counter()
        for _ in range(n):
            s.acquire()
            s.release()
        t1 = time.perf_counter()
    elif mode == "handoff":
        s1, s2, ready = mp.Semaphore(0), mp.Semaphore(0), mp.Semaphore(0)
        p = mp.Process(target=pong, args=(s1, s2, n, ready))
        p.start()
        ready.acquire()
        t0 = time.perf_counter()
        for _ in range(n):
            s1.release()
            s2.acquire()
        t1 = time.perf_counter()
        p.join()
        if p.exitcode != 0:
            print("the other process failed")
            return 1
    elif mode == "event":
        e = mp.Event()
        e.set()
        t0 = time.perf_counter()
        for _ in range(n):
            e.wait()
        t1 = time.perf_counter()
    else:
        print("unknown mode", mode)
        return 2
    print("ops_per_s %.1f" % (n / (t1 - t0)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
