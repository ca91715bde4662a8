"""The official Python SDK's client doing what the benchmark asks of mcp-run: N sequential calls.

    .venv/bin/python benchmarks/python_client.py URL N [--tool echo] [--mode legacy|auto] [--kb K]
    .venv/bin/python benchmarks/python_client.py --stdio 'SHELL COMMAND' N [--kb K]

Opens one Streamable HTTP session to URL (or, with --stdio, starts `/bin/sh -c COMMAND` and speaks
stdio to it), makes N sequential `tools/call`s of `echo` ({"text": "hi"}), checks every answer, and
closes the session. With --kb K the call is `large` ({"kb": K}) instead, and the answer must be
exactly K KiB of text. Prints one JSON line on stdout: {"calls": N, "connectSeconds": …,
"callsSeconds": …} (time inside the process, after imports; benchmarks/bench.py measures the whole
process from outside).

--mode legacy (default) uses the initialize handshake, as mcp-run does; --mode auto lets the SDK
pick its newest protocol.
"""

from __future__ import annotations

import argparse
import json
import sys
import time

import anyio
from mcp import Client, StdioServerParameters
from mcp.client.streamable_http import streamable_http_client


async def run(url: str, count: int, tool: str, mode: str, kb: int | None, stdio: bool) -> dict[str, float | int]:
    started = time.perf_counter()
    server = StdioServerParameters(command="/bin/sh", args=["-c", url]) if stdio else streamable_http_client(url)
    async with Client(server, mode=mode) as client:  # type: ignore[arg-type]
        connected = time.perf_counter()
        for index in range(count):
            if kb is None:
                result = await client.call_tool(tool, {"text": "hi"})
            else:
                result = await client.call_tool("large", {"kb": kb})
            text = "".join(getattr(part, "text", "") for part in result.content)
            if result.is_error or (text != "hi" if kb is None else len(text) != kb * 1024):
                raise SystemExit(f"python_client: call {index + 1} returned {str(result)[:300]}")
            del result, text
        finished = time.perf_counter()
    return {"calls": count, "connectSeconds": connected - started, "callsSeconds": finished - connected}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url", help="the server's URL, or with --stdio the shell command that starts it")
    parser.add_argument("count", type=int)
    parser.add_argument("--tool", default="echo")
    parser.add_argument("--mode", choices=["legacy", "auto"], default="legacy")
    parser.add_argument("--kb", type=int, help="call `large` for this many KiB of text instead of `echo`")
    parser.add_argument("--stdio", action="store_true", help="URL is a shell command speaking stdio")
    options = parser.parse_args()
    summary = anyio.run(run, options.url, options.count, options.tool, options.mode, options.kb, options.stdio)
    print(json.dumps(summary), flush=True)


if __name__ == "__main__":
    main()
