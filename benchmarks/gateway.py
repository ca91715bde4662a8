"""The gateway's benchmark (issue #13); run it through benchmarks/run-gateway.

Starts the fixture server (tools.py, Streamable HTTP, JSON responses) and `mcp-run serve` with
that server in MCP_SERVERS, then measures `echo` calls against the same server in the same run:

  curl floor, N calls          one curl process straight to the MCP server, one keep-alive
                               connection (bench.py's floor: JSON-RPC by hand)
  gateway, 1 client, N calls   one curl process, one keep-alive connection to the gateway,
                               N POST /api/v1/mcp/bench/tools/echo in a row
  gateway, 16 clients, N calls 16 such curl processes at once, N/16 calls each; wall until the last ends
  mcp-run call, 1 call         `mcp-run call bench echo text=hi`, a process per call, R times (median)

Calls per second are N / wall. The gateway keeps one session to the server for all of them. CPU
and max RSS are the clients' (curl's, mcp-run call's) for those rows and the gateway's own for the
gateway rows (/proc/PID/stat before and after, VmHWM), so the server's work is never counted.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench import REPO, Measurement, Server, bench_curl, failure, measure, render, say, summarize  # noqa: E402

API_KEY = "bench-key-0f3c9a"


def peak_rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return 0


def process_cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class Gateway:
    def __init__(self, binary: str, server_url: str, home: Path) -> None:
        environment = dict(os.environ)
        environment.update(
            MCP_RUN_API_KEY=API_KEY,
            MCP_RUN_HOME=str(home),
            MCP_SERVERS=json.dumps({"bench": {"url": server_url, "transport": "streamable-http"}}),
        )
        self.process = subprocess.Popen(
            [binary, "serve", "--listen", "127.0.0.1:0", "-q"], env=environment, stderr=subprocess.PIPE, text=True
        )
        assert self.process.stderr is not None
        line = self.process.stderr.readline()
        match = re.search(r"listening on http://127\.0\.0\.1:(\d+)", line)
        if not match:
            self.process.kill()
            raise SystemExit(f"bench: mcp-run serve did not start (printed {line!r})")
        self.url = f"http://127.0.0.1:{match.group(1)}"
        # The access log goes to stderr; drain it so the gateway never blocks on a full pipe.
        self.drain = subprocess.Popen(["cat"], stdin=self.process.stderr, stdout=subprocess.DEVNULL)

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.drain.wait(5)


def gateway_config(url: str, calls: int) -> str:
    request = "\n".join(
        [
            f"url = {json.dumps(url + '/api/v1/mcp/bench/tools/echo')}",
            f'header = "X-API-Key: {API_KEY}"',
            'header = "Content-Type: application/json"',
            'data-binary = "{\\"text\\":\\"hi\\"}"',
            'output = "/dev/null"',
            'write-out = "%{http_code}\\n"',
        ]
    )
    return "next\n".join([request + "\n"] * calls)


def bench_gateway(gateway: Gateway, calls: int, clients: int, workdir: Path, name: str) -> Measurement:
    per_client = calls // clients
    config = workdir / f"gateway-{per_client}.cfg"
    config.write_text(gateway_config(gateway.url, per_client))
    command = ["curl", "-sS", "--config", str(config)]
    cpu_before = process_cpu_seconds(gateway.process.pid)
    started = time.perf_counter()
    processes = [subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE) for _ in range(clients)]
    outputs = [p.communicate(timeout=600) for p in processes]
    wall = time.perf_counter() - started
    cpu = process_cpu_seconds(gateway.process.pid) - cpu_before
    statuses = [code for out, _ in outputs for code in out.decode().split()]
    if any(p.returncode for p in processes) or statuses != ["200"] * (per_client * clients):
        counts = {code: statuses.count(code) for code in sorted(set(statuses))}
        errors = b"".join(err for _, err in outputs).decode(errors="replace")[-300:]
        return Measurement(name=name, calls=calls, error=f"HTTP statuses {counts} {errors}")
    measurement = Measurement(
        name=name, calls=per_client * clients, wall_seconds=wall, cpu_seconds=cpu,
        max_rss_kib=peak_rss_kib(gateway.process.pid),
    )
    measurement.notes.append("CPU and max RSS are the gateway's (mcp-run serve), not curl's")
    return measurement


def bench_call(binary: str, server_url: str, runs: int, home: Path, name: str) -> Measurement:
    os.environ["MCP_SERVERS"] = json.dumps({"bench": {"url": server_url, "transport": "streamable-http"}})
    os.environ["MCP_RUN_HOME"] = str(home)
    command = [binary, "call", "bench", "echo", "text=hi", "-q"]
    samples = []
    for _ in range(runs):
        sample = measure(command)
        if sample.status != 0 or b'"hi"' not in sample.stdout:
            return failure(name, 1, command, sample, f"exit {sample.status}")
        samples.append(sample)
    return summarize(name, 1, samples)


def main() -> int:
    parser = argparse.ArgumentParser(description="mcp-run gateway benchmark")
    parser.add_argument("-n", "--calls", type=int, default=1600, help="calls per measurement (default 1600)")
    parser.add_argument("-r", "--repeat", type=int, default=10, help="runs of mcp-run call (default 10)")
    parser.add_argument("--binary", default=str(REPO / ".build/release/mcp-run"), help="mcp-run to measure")
    options = parser.parse_args()
    calls = options.calls
    server = Server()
    measurements: list[Measurement] = []
    try:
        with tempfile.TemporaryDirectory(prefix="mcp-run-gateway-bench-") as directory:
            workdir = Path(directory)
            say(f"curl floor: {calls} calls")
            measurements.append(bench_curl(server.url, calls, workdir, f"curl floor, {calls} calls"))
            gateway = Gateway(options.binary, server.url, workdir / "home")
            try:
                bench_gateway(gateway, 16, 1, workdir, "warm-up")  # opens the session, lists the tools
                say(f"gateway: {calls} calls, 1 client")
                measurements.append(bench_gateway(gateway, calls, 1, workdir, f"gateway, 1 client"))
                say(f"gateway: {calls} calls, 16 clients")
                measurements.append(bench_gateway(gateway, calls, 16, workdir, f"gateway, 16 clients"))
            finally:
                gateway.stop()
            say(f"mcp-run call: 1 call x {options.repeat}")
            measurements.append(bench_call(options.binary, server.url, options.repeat, workdir, "mcp-run call, 1 call"))
    finally:
        server.stop()
    print(f"mcp-run gateway benchmark: echo over Streamable HTTP (JSON responses), {calls} calls\n")
    print(render(measurements))
    return 0 if all(m.ok for m in measurements) else 1


if __name__ == "__main__":
    sys.exit(main())
