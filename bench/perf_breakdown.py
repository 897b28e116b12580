#!/usr/bin/env python3
"""Where a cluster's CPU per call goes, from two `perf` profiles of the same scenario (docs/BENCHMARKS.md, issue 10).

Each profile is the text of `perf script -F pid,ip,sym,dso` over a `perf record -a -g` of a measured round, with the
silos started under DOTNET_PerfMapEnabled=1 DOTNET_EnableWriteXorExecute=0 so that JIT-compiled frames have names.
Samples of the given silo processes are put in the first category (below) that a frame of their stack matches, and
each category is printed in samples per 1,000 calls, side by side, with the difference:

    perf_breakdown.py one.script 4711 166584 three.script 4801,4802,4803 179184

(a file, its silo pids, and the calls the cluster answered while `perf` recorded: calls/s of the round × seconds).
"""

import re
import sys
from collections import Counter

# First match wins: a frame's symbol containing the text, or for JIT a frame in the JIT's library.
CATEGORIES = [
    ("JIT compiling", lambda sym, dso: dso == "libclrjit.so"),
    ("thread-pool workers spinning or sleeping", lambda sym, dso: "LowLevelLifoSemaphore::Wait" in sym),
    ("read cache: renewals served", lambda sym, dso: "RecipientCacheService" in sym),
    ("read cache: lookups, renewals sent", lambda sym, dso: "RecipientReadCache" in sym),
    ("Orleans messaging", lambda sym, dso: "Orleans.Runtime.Messaging" in sym or "[Orleans.Serialization]" in sym),
    ("timers", lambda sym, dso: "TimerQueue::FireNextTimers" in sym),
    ("gRPC handlers (verdict service and below)", lambda sym, dso: "Clearinghouse.Gateway.Services" in sym),
    ("HTTP/2 output", lambda sym, dso: "Http2FrameWriter" in sym or "Http2OutputProducer" in sym),
    ("HTTP/2 input", lambda sym, dso: "Http2Connection" in sym),
    ("socket event loop", lambda sym, dso: "SocketAsyncEngine" in sym or "epoll_wait" in sym),
    ("thread-pool dispatch", lambda sym, dso: "ThreadPoolWorkQueue::Dispatch" in sym),
]
OTHER = "everything else"
FRAME = re.compile(r"^\s*[0-9a-f]+\s+(.*?)\s+\((.*)\)\s*$")


def samples(path, pids):
    """Yields the stack (leaf first) of every sample of the given processes."""
    pid, frames = None, []
    with open(path, errors="replace") as text:
        for line in text:
            if not line.strip():
                if pid in pids:
                    yield frames
                pid, frames = None, []
            elif not line.startswith("\t"):  # a sample's first line (its pid, perhaps padded); frames are indented by a tab
                pid, frames = line.split()[0], []
            else:
                match = FRAME.match(line)
                if match:
                    frames.append((match.group(1), match.group(2).rsplit("/", 1)[-1]))
    if pid in pids:
        yield frames


def category(frames):
    for name, matches in CATEGORIES:
        if any(matches(sym, dso) for sym, dso in frames):
            return name
    return OTHER


def per_thousand_calls(path, pids, calls):
    counts = Counter(category(frames) for frames in samples(path, set(pids.split(","))))
    return {name: 1000 * count / calls for name, count in counts.items()}


def main(args):
    if len(args) != 6:
        sys.exit(__doc__)
    first = per_thousand_calls(args[0], args[1], float(args[2]))
    second = per_thousand_calls(args[3], args[4], float(args[5]))
    names = [name for name, _ in CATEGORIES] + [OTHER]
    total_first, total_second = sum(first.values()), sum(second.values())
    print(f"| samples per 1,000 calls | {args[0]} | {args[3]} | difference |")
    print("|---|---:|---:|---:|")
    for name in names:
        a, b = first.get(name, 0.0), second.get(name, 0.0)
        print(f"| {name} | {a:.2f} | {b:.2f} | {b - a:+.2f} |")
    print(f"| all | {total_first:.2f} | {total_second:.2f} | {total_second - total_first:+.2f} "
          f"({total_second / total_first:.2f}×) |")


if __name__ == "__main__":
    main(sys.argv[1:])
