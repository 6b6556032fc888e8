"""The Python peer of bench/bench_value.c: multiprocessing.Value's locked
increment, `with v.get_lock(): v.value += 1`, as the seeds write it.

Usage: python3 peer_value.py PROCS N
Runs PROCS processes (1: the calling one) each doing N locked increments
of one Value('q', 0), checks the total, and prints "ops_per_s <rate>".
"""
import multiprocessing as mp
import sys
import time


def work(v, n, start=None):
    if start is not None:
        start.wait()
    for _ in range(n):
        with v.get_lock():
            v.value += 1


def main():
    procs, n = int(sys.argv[1]), int(sys.argv[2])
    v = mp.Value('q', 0)
    if procs == 1:
        t0 = time.perf_counter()
        work(v, n)
        t1 = time.perf_counter()
    else:
        start = mp.Event()
        ps = [mp.Process(target=work, args=(v, n, start)) for _ in range(procs)]
        for p in ps:
            p.start()
        time.sleep(0.2)  # let every process reach the start line
        t0 = time.perf_counter()
        start.set()
        for p in ps:
            p.join()
        t1 = time.perf_counter()
    if v.value != procs * n:
        print("miscounted", v.value, procs * n)
        return 1
    print("ops_per_s %.1f" % (procs * n / (t1 - t0)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
