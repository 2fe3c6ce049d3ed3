#!/usr/bin/env python3
"""A small moving-average strategy for signal-bridge (Python 3.8+, standard library only).

It reads closing prices from a CSV file (the last column of each line; lines that are not a
number, like a header, are skipped), compares a fast and a slow simple moving average and
answers BUY (fast above slow), SELL (below) or nothing, as the JSON signal:

    {"signal": "BUY", "takeProfit": 30690.4, "stopLoss": 29785.8, "comment": "sma 10/30 on BTCUSD"}

Two ways to publish it:

1. As a command: the bridge runs it at every tick, gives it the tick's context as JSON on
   stdin and reads the signal from stdout.

       BRIDGE_STRATEGY="command:python3 examples/python/sma_signal.py --prices examples/python/prices.csv"

2. As a stream: the bridge starts it once and keeps it running; it runs its own loop and prints
   one line whenever its signal changes, and the bridge acts on each line at once (no process
   per tick, no polling). It stops when the bridge closes its stdin (and the bridge stops it,
   with everything it started, in any case).

       BRIDGE_STRATEGY="stream:python3 examples/python/sma_signal.py --stream --every 5"

3. As a file writer: it runs on its own and rewrites a signal file; the bridge watches it and
   acts on each new version at once. The file is replaced atomically (write a temporary file,
   then rename it), so the bridge never reads half of it.

       python3 examples/python/sma_signal.py --prices examples/python/prices.csv --write /tmp/signal.json --every 60
       BRIDGE_STRATEGY=file:/tmp/signal.json
"""
import argparse
import json
import os
import select
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))


def read_closes(path):
    closes = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            cell = line.strip().split(",")[-1].strip()
            try:
                closes.append(float(cell))
            except ValueError:
                pass  # a header or a blank line
    return closes


def sma(values, n):
    return sum(values[-n:]) / n


def decide(closes, fast, slow, context, volume=None):
    """The signal as a dict: {"signal": "BUY"|"SELL"|None, ...}."""
    if len(closes) < slow:
        return {"signal": None, "comment": "too few prices"}
    fast_sma, slow_sma, last = sma(closes, fast), sma(closes, slow), closes[-1]
    if fast_sma == slow_sma:
        return {"signal": None}
    side = "BUY" if fast_sma > slow_sma else "SELL"
    up = 1 if side == "BUY" else -1
    signal = {
        "signal": side,
        "takeProfit": round(last * (1 + 0.02 * up), 2),  # 2 % in our favour
        "stopLoss": round(last * (1 - 0.01 * up), 2),  # 1 % against us
        "comment": "sma %d/%d" % (fast, slow),
    }
    if context.get("instrument"):
        signal["comment"] += " on " + context["instrument"]
    if volume is not None:
        signal["volume"] = volume  # else the bridge uses BRIDGE_VOLUME
    return signal


def write_atomically(path, text):
    """Write-then-rename: readers see the old file or the new one, never half of it."""
    folder = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=".signal-")  # same folder: same file system
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)  # atomic on POSIX and Windows
    except BaseException:
        os.unlink(tmp)
        raise


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--prices", default=os.path.join(HERE, "prices.csv"), help="CSV of prices, close in the last column")
    parser.add_argument("--fast", type=int, default=10)
    parser.add_argument("--slow", type=int, default=30)
    parser.add_argument("--volume", type=float, help="volume of each order (default: BRIDGE_VOLUME)")
    parser.add_argument("--write", metavar="PATH", help="write the signal to PATH instead of printing it")
    parser.add_argument("--every", type=float, metavar="SECONDS", help="with --write or --stream: decide again every SECONDS")
    parser.add_argument("--stream", action="store_true", help="run a loop: print a line each time the signal changes")
    args = parser.parse_args()

    if args.stream:
        stream(args)
        return

    if args.write is None:
        # Command mode: the bridge writes the tick's context on stdin (instrument, volume, tracked, time).
        text = "" if sys.stdin.isatty() else sys.stdin.read()
        context = json.loads(text) if text.strip() else {}
        print(json.dumps(decide(read_closes(args.prices), args.fast, args.slow, context, args.volume)))
        return
    while True:
        signal = decide(read_closes(args.prices), args.fast, args.slow, {}, args.volume)
        # Rewrite it even when the signal has not changed: the bridge reads the file's age as "still running".
        write_atomically(args.write, json.dumps(signal) + "\n")
        if args.every is None:
            return
        time.sleep(args.every)


def stream(args):
    """Stream mode: the strategy's own loop; one line per change of signal, flushed at once."""
    every = args.every if args.every is not None else 60.0
    last = None
    while True:
        line = json.dumps(decide(read_closes(args.prices), args.fast, args.slow, {}, args.volume))
        if line != last:  # every line is acted on: print only what is new
            print(line, flush=True)
            last = line
        # Wait for the next round, or for the bridge to close our stdin: then it is gone, and so are we.
        readable, _, _ = select.select([sys.stdin], [], [], every)
        if readable and not os.read(sys.stdin.fileno(), 4096):
            return


if __name__ == "__main__":
    main()
