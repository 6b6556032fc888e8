"""The Python peer of bench/bench_cond.c: multiprocessing.Condition.

Usage: python3 peer_cond.py ROUNDS
Two processes pass a turn back and forth ROUNDS times each: each takes the
condition's lock, waits while the turn is the other's, gives the turn over,
notifies and lets go (the number of hand-overs is checked).
Prints "ops_per_s <rate>" (hand-overs per second, both processes).
"""
import multiprocessing as mp
import sys
import time


def player(cond, turn, count, me, n, start):
    start.wait()
    for _ in range(n):
        with cond:
            while turn.value != me:
                cond.wait()
            turn.value = 1 - me
            count.value += 1
            cond.notify()


def main():
    n = int(sys.argv[1])
    cond = mp.Condition()
    turn = mp.RawValue('i', 0)
    count = mp.RawValue('q', 0)
    start = mp.Event()
    ps = [mp.Process(target=player, args=(cond, turn, count, me, n, start))
          for me in (0, 1)]
    for p in ps:
        p.start()
    time.sleep(0.2)
    t0 = time.perf_counter()
    start.set()
    for p in ps:
        p.join()
    t1 = time.perf_counter()
    if count.value != 2 * n:
        print("miscounted", count.value, 2 * n)
        return 1
    print("ops_per_s %.1f" % (2 * n / (t1 - t0)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
