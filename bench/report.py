"""Turns the CSV lines of one benchmark run into docs/benchmarks.md's
table and a chart (bench/run-all.sh calls it).

Usage: python3 report.py RUN_DIR
RUN_DIR holds results.csv (platform,scenario,implementation,unit,median,
min,max,ratio) and facts.txt (the machine, the date, the command). Writes
RUN_DIR/benchmarks.md, RUN_DIR/chart.dat and RUN_DIR/chart.gp (a gnuplot
script drawing RUN_DIR/benchmarks.png).
"""
import csv
import os
import sys

TIME_UNITS = {"ns/op", "us", "ns", "ms"}


def fmt(x, unit):
    if unit in ("ops/s", "msgs/s", "msg/s"):
        if x >= 1e6:
            return "%.2f M" % (x / 1e6)
        if x >= 1e3:
            return "%.1f k" % (x / 1e3)
        return "%.0f" % x
    if unit == "ns/op" and x >= 1000:
        return "%.1f µs" % (x / 1000)
    return "%.3g" % x if x < 100 else "%.0f" % x


def main():
    run = sys.argv[1]
    rows = []
    with open(os.path.join(run, "results.csv")) as f:
        for r in csv.reader(f):
            if len(r) != 8 or r[0] == "platform":
                continue
            plat, scen, impl, unit = r[0], r[1], r[2], r[3]
            try:
                med, lo, hi, ratio = (float(r[4]), float(r[5]), float(r[6]),
                                      float(r[7]))
            except ValueError:
                continue  # a derived ratio line
            rows.append((plat, scen, impl, unit, med, lo, hi, ratio))
    with open(os.path.join(run, "facts.txt")) as f:
        facts = f.read().strip()

    out = ["# Benchmarks", "",
           "Every figure below was printed by one run of `bench/run-all.sh`",
           "on the machine described here; each is the median of several",
           "repetitions, with the minimum and maximum. **xipc vs peer** says",
           "how many times faster xipc was than that peer in the same run",
           "(above 1: xipc faster).", "", "```", facts, "```", "",
           "![xipc's speed relative to each peer](benchmarks.png)", ""]
    chart = []
    for plat in ("native", "wine"):
        prow = [r for r in rows if r[0] == plat]
        if not prow:
            continue
        out += ["## %s" % ("Linux, native" if plat == "native"
                           else "Windows build under Wine"), "",
                "| scenario | implementation | median | min | max | unit | xipc vs peer |",
                "|---|---|---|---|---|---|---|"]
        for _, scen, impl, unit, med, lo, hi, ratio in prow:
            speed = ""
            # Each benchmark prints xipc's median over the peer's (the xipc
            # way that answers the peer: the locked increment for Python's
            # locked increment, ...): for a time, below 1 is xipc faster.
            if not impl.startswith("xipc") and ratio > 0:
                s = 1 / ratio if unit in TIME_UNITS else ratio
                speed = "%.2f×" % s if s < 100 else "%.0f×" % s
                chart.append(("%s %s: %s" % ("W" if plat == "wine" else "L",
                                             scen, impl), s))
            out.append("| %s | %s | %s | %s | %s | %s | %s |" % (
                scen, impl, fmt(med, unit), fmt(lo, unit), fmt(hi, unit),
                unit, speed))
        out.append("")
    out += ["Rows marked L are native Linux, W the Windows build under Wine.",
            "A peer that was absent from the run (no Python, no Boost",
            "headers) has no row; the run's log says so.", ""]
    with open(os.path.join(run, "benchmarks.md"), "w") as f:
        f.write("\n".join(out))
    with open(os.path.join(run, "chart.dat"), "w") as f:
        for i, (label, s) in enumerate(chart):
            f.write('%d "%s" %.6g\n' % (i, label.replace('"', "'"), s))
    height = max(400, 22 * len(chart) + 120)
    with open(os.path.join(run, "chart.gp"), "w") as f:
        f.write("""set terminal pngcairo size 1100,%d font 'sans,9'
set output '%s'
set title 'xipc vs each peer, same run (times faster; log scale; 1 = equal)'
set logscale x 10
set xrange [0.1:*]
set yrange [-1:%d]
set ytics noenhanced font 'sans,8' nomirror
set lmargin 52
set grid xtics
set style fill solid 0.7
set arrow from 1, graph 0 to 1, graph 1 nohead lc rgb 'black'
plot '%s' using (1):1:($3 < 1 ? $3 : 1):($3 < 1 ? 1 : $3):($1-0.35):($1+0.35):ytic(2) \\
       with boxxyerror lc rgb '#3a7ca5' notitle
""" % (height, os.path.join(run, "benchmarks.png"), len(chart),
       os.path.join(run, "chart.dat")))
    return 0


if __name__ == "__main__":
    sys.exit(main())
