"""The official Python SDK's client doing what the benchmark asks of mcp-run: N sequential calls.

    .venv/bin/python benchmarks/python_client.py URL N [--tool echo] [--mode legacy|auto]

Opens one Streamable HTTP session to URL, makes N sequential `tools/call`s of `echo`
({"text": "hi"}), checks every answer, and closes the session. Prints one JSON line on stdout:
{"calls": N, "connectSeconds": …, "callsSeconds": …} (time inside the process, after imports;
benchmarks/bench.py measures the whole process from outside).

--mode legacy (default) uses the initialize handshake, as mcp-run does; --mode auto lets the SDK
pick its newest protocol.
"""

from __future__ import annotations

import argparse
import json
import sys
import time

import anyio
from mcp import Client
from mcp.client.streamable_http import streamable_http_client


async def run(url: str, count: int, tool: str, mode: str) -> dict[str, float | int]:
    started = time.perf_counter()
    async with Client(streamable_http_client(url), mode=mode) as client:  # type: ignore[arg-type]
        connected = time.perf_counter()
        for index in range(count):
            result = await client.call_tool(tool, {"text": "hi"})
            text = "".join(getattr(part, "text", "") for part in result.content)
            if result.is_error or text != "hi":
                raise SystemExit(f"python_client: call {index + 1} returned {result}")
        finished = time.perf_counter()
    return {"calls": count, "connectSeconds": connected - started, "callsSeconds": finished - connected}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url")
    parser.add_argument("count", type=int)
    parser.add_argument("--tool", default="echo")
    parser.add_argument("--mode", choices=["legacy", "auto"], default="legacy")
    options = parser.parse_args()
    summary = anyio.run(run, options.url, options.count, options.tool, options.mode)
    print(json.dumps(summary), flush=True)


if __name__ == "__main__":
    main()
