#!/usr/bin/env python3
"""Summarizes a dotnet-trace sampled-thread-time trace converted to speedscope JSON.

Usage: cpu-summary.py <trace.speedscope.json> [top]
Prints on-CPU time (the CPU_TIME pseudo-frames) by module and by function, leaving out time threads spent blocked.
"""
import collections
import json
import sys

trace = json.load(open(sys.argv[1]))
top = int(sys.argv[2]) if len(sys.argv) > 2 else 30
frames = [frame["name"] for frame in trace["shared"]["frames"]]
by_module, by_function = collections.Counter(), collections.Counter()
for profile in trace["profiles"]:
    stack = []
    for event in profile["events"]:
        if event["type"] == "O":
            stack.append((event["frame"], event["at"]))
            continue
        frame, opened = stack.pop()
        if frames[frame] != "CPU_TIME" or not stack:
            continue
        caller = frames[stack[-1][0]]
        by_module[caller.split("!")[0]] += event["at"] - opened
        by_function[caller[:140]] += event["at"] - opened
total = sum(by_module.values()) or 1
print(f"on-CPU samples: {total:.0f} ms; by module")
for name, ms in by_module.most_common(top):
    print(f"{100 * ms / total:6.1f}%  {name}")
print("by function")
for name, ms in by_function.most_common(top):
    print(f"{100 * ms / total:6.1f}%  {name}")
