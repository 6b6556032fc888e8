"""The Python peer of bench/bench_barrier.c: multiprocessing.Barrier.

Usage: python3 peer_barrier.py PARTIES N
PARTIES processes each wait N times on one Barrier(PARTIES).
Prints "ops_per_s <rate>" (rounds per second).
"""
import multiprocessing as mp
import sys
import time


def party(barrier, n, start):
    start.wait()
    for _ in range(n):
        barrier.wait()


def main():
    parties, n = int(sys.argv[1]), int(sys.argv[2])
    barrier = mp.Barrier(parties)
    start = mp.Event()
    ps = [mp.Process(target=party, args=(barrier, n, start))
          for _ in range(parties)]
    for p in ps:
        p.start()
    time.sleep(0.2)
    t0 = time.perf_counter()
    start.set()
    for p in ps:
        p.join()
    t1 = time.perf_counter()
    if any(p.exitcode != 0 for p in ps):
        print("failed")
        return 1
    print("ops_per_s %.1f" % (n / (t1 - t0)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
