"""mcp-run's client-side benchmark; run it through benchmarks/run.

Starts one fixture server (tools.py, Streamable HTTP, JSON responses) and measures, against that
same server in the same run:

  mcp-run, N calls      an N-step workflow of `echo` calls: `mcp-run run FILE -o OUT -q`
  python SDK, N calls   benchmarks/python_client.py: one session, N sequential call_tool
  curl floor, N calls   one curl process, one keep-alive connection, --next: initialize,
                        notifications/initialized and N tools/call POSTs (the session id comes from
                        an initialize made beforehand, outside the measurement)
  mcp-run, 1 call       a one-step workflow, run R times (median)
  python SDK, 1 call    python_client.py with N = 1, run R times (median)
  large result          one `tools/call` of `large` answering --large-mb MB of text (default 50),
                        over Streamable HTTP with a JSON response (2026-07-28), over Streamable HTTP
                        with an SSE response (a second server without --json-response, mcp-run
                        pinned to the 2025-11-25 handshake, on which the SDK answers with an event
                        stream) and over stdio; mcp-run writes the results document to a file (-o)
                        and the Python SDK client makes the same call. Max RSS is reported as a
                        ratio to the result's size. The stdio server is reached through a relay
                        (`sh -c 'cat > FIFO & cat < FIFO'`) to a server started beforehand: a
                        process's max RSS from wait4 covers its waited-for children, so a server
                        that is the client's own child would count its RSS as the client's

Each client is one child process; its CPU (user + sys) and max RSS come from wait4(2), so the
server's work is not counted. Prints a table and the ratios on stdout; --json FILE also saves them.
A part that fails is reported as failed and the others still run; the exit status is then 1.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shlex
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
PROTOCOL_VERSION = "2025-06-18"
MODERN_VERSION = "2026-07-28"
LEGACY_PIN = "2025-11-25"


def say(message: str) -> None:
    print(f"bench: {message}", file=sys.stderr, flush=True)


@dataclass
class Measurement:
    name: str
    calls: int
    runs: int = 1
    wall_seconds: float = 0.0  # median over runs
    cpu_seconds: float = 0.0  # user + sys of the client process, median over runs
    max_rss_kib: int = 0  # largest over runs
    error: str | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.error is None

    @property
    def calls_per_second(self) -> float:
        return self.calls / self.wall_seconds if self.wall_seconds else 0.0

    @property
    def cpu_ms_per_call(self) -> float:
        return 1000 * self.cpu_seconds / self.calls if self.calls else 0.0


@dataclass
class Sample:
    wall: float
    cpu: float
    rss_kib: int
    status: int
    stdout: bytes
    stderr: bytes


def measure(command: list[str], *, timeout: float = 600) -> Sample:
    """Runs `command` as one child and returns its wall time, CPU and max RSS (from wait4).

    Blocks in wait4 (no polling, which would steal CPU from the client on a small machine); a
    timer kills the child at `timeout`.
    """
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=out, stderr=err)
        killer = threading.Timer(timeout, process.kill)
        killer.start()
        try:
            _, status, usage = os.wait4(process.pid, 0)
        finally:
            killer.cancel()
        wall = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)  # so Popen does not wait again
        out.seek(0)
        err.seek(0)
        return Sample(
            wall=wall,
            cpu=usage.ru_utime + usage.ru_stime,
            rss_kib=usage.ru_maxrss,
            status=process.returncode,
            stdout=out.read(),
            stderr=err.read(),
        )


def summarize(name: str, calls: int, samples: list[Sample]) -> Measurement:
    return Measurement(
        name=name,
        calls=calls,
        runs=len(samples),
        wall_seconds=statistics.median(s.wall for s in samples),
        cpu_seconds=statistics.median(s.cpu for s in samples),
        max_rss_kib=max(s.rss_kib for s in samples),
    )


def failure(name: str, calls: int, command: list[str], sample: Sample, why: str) -> Measurement:
    tail = (sample.stderr or sample.stdout).decode(errors="replace").strip().splitlines()[-5:]
    say(f"{name}: FAILED ({why}): $ {shlex.join(command)}")
    for line in tail:
        say(f"  | {line}")
    return Measurement(name=name, calls=calls, error=f"{why}: {tail[-1] if tail else 'no output'}")


class Server:
    """tools.py --transport streamable-http [--json-response] on 127.0.0.1, port 0."""

    def __init__(self, json_response: bool = True) -> None:
        command = [
            PYTHON, str(REPO / "fixtures/servers/tools.py"), "--transport", "streamable-http",
            *(["--json-response"] if json_response else []), "--list-ttl-ms", "3600000",
        ]  # fmt: skip
        self.process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
        assert self.process.stdout is not None
        line = self.process.stdout.readline()
        if not line.startswith("READY "):
            self.process.kill()
            raise SystemExit(f"bench: the fixture server did not start (printed {line!r})")
        self.port = int(line.split()[1])
        self.url = f"http://127.0.0.1:{self.port}/mcp"

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(5)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def workflow_yaml(url: str, calls: int, pin: str | None = None) -> str:
    lines = [
        f"name: bench-{calls}",
        "concurrency: 1",  # sequential calls, as the floor makes them (the default is 4 at once)
        "servers:",
        "  bench:",
        f"    url: {url}",
        "    transport: streamable-http",
    ]
    if pin:
        lines.append(f'    protocolVersion: "{pin}"')
    lines.append("steps:")
    for index in range(1, calls + 1):
        lines.append(f"  - {{id: s{index}, server: bench, tool: echo, arguments: {{text: hi}}}}")
    return "\n".join(lines) + "\n"


def check_results(path: Path, calls: int) -> str | None:
    """None when the results document says every one of `calls` steps succeeded."""
    try:
        document = json.loads(path.read_text())
    except (OSError, ValueError) as error:
        return f"no readable results document ({error})"
    steps = document.get("steps") or []
    succeeded = sum(1 for step in steps if step.get("status") == "succeeded")
    if document.get("status") != "succeeded" or succeeded != calls:
        return f"results: status {document.get('status')!r}, {succeeded}/{calls} steps succeeded"
    return None


def bench_mcp_run(
    binary: str, url: str, calls: int, runs: int, workdir: Path, name: str,
    pin: str | None = None, extra: tuple[str, ...] = (),
) -> Measurement:  # fmt: skip
    if not os.access(binary, os.X_OK):
        say(f"{name}: skipped: no executable at {binary}")
        return Measurement(name=name, calls=calls, error=f"no mcp-run binary at {binary}")
    stem = f"{calls}-{pin or 'modern'}"
    workflow = workdir / f"bench-{stem}.yaml"
    workflow.write_text(workflow_yaml(url, calls, pin))
    output = workdir / f"results-{stem}.json"
    command = [binary, "run", str(workflow), "-o", str(output), "-q", *extra]
    # A fresh home per measurement: its first run lists the tools (and keeps the list).
    env_home = workdir / f"mcp-run-home-{stem}{'-'.join(('',) + extra)}"
    env_home.mkdir(exist_ok=True)
    os.environ["MCP_RUN_HOME"] = str(env_home)
    samples = []
    for _ in range(runs):
        output.unlink(missing_ok=True)
        sample = measure(command)
        if sample.status != 0:
            return failure(name, calls, command, sample, f"exit {sample.status}")
        problem = check_results(output, calls)
        if problem:
            return failure(name, calls, command, sample, problem)
        samples.append(sample)
    return summarize(name, calls, samples)


def bench_python(url: str, calls: int, runs: int, name: str) -> Measurement:
    command = [PYTHON, str(REPO / "benchmarks/python_client.py"), url, str(calls), "--mode", "auto"]
    samples = []
    inner: list[dict[str, float]] = []
    for _ in range(runs):
        sample = measure(command)
        if sample.status != 0:
            return failure(name, calls, command, sample, f"exit {sample.status}")
        samples.append(sample)
        inner.append(json.loads(sample.stdout))
    measurement = summarize(name, calls, samples)
    calls_seconds = statistics.median(i["callsSeconds"] for i in inner)
    connect_seconds = statistics.median(i["connectSeconds"] for i in inner)
    startup = measurement.wall_seconds - calls_seconds - connect_seconds
    measurement.notes.append(
        f"inside the process: start-up and imports {startup:.2f} s, connect {connect_seconds * 1000:.0f} ms, "
        f"calls {calls_seconds:.2f} s ({calls / calls_seconds if calls_seconds else 0:.0f} calls/s)"
    )
    return measurement


def curl_config(url: str, session_id: str, calls: int) -> str:
    """A curl config: initialize, initialized, then `calls` tools/call POSTs, joined by `next`."""

    def request(body: dict, with_session: bool) -> str:
        headers = ["Content-Type: application/json", "Accept: application/json, text/event-stream"]
        if with_session:
            headers += [f"Mcp-Session-Id: {session_id}", f"MCP-Protocol-Version: {PROTOCOL_VERSION}"]
        lines = [f"url = {json.dumps(url)}"]
        lines += [f"header = {json.dumps(h)}" for h in headers]
        lines.append(f"data-binary = {json.dumps(json.dumps(body, separators=(',', ':')))}")
        lines.append('output = "/dev/null"')
        lines.append('write-out = "%{http_code}\\n"')
        return "\n".join(lines) + "\n"

    initialize = {
        "jsonrpc": "2.0",
        "id": 0,
        "method": "initialize",
        "params": {
            "protocolVersion": PROTOCOL_VERSION,
            "capabilities": {},
            "clientInfo": {"name": "curl-floor", "version": "0"},
        },
    }
    parts = [request(initialize, False), request({"jsonrpc": "2.0", "method": "notifications/initialized"}, True)]
    for index in range(1, calls + 1):
        call = {
            "jsonrpc": "2.0",
            "id": index,
            "method": "tools/call",
            "params": {"name": "echo", "arguments": {"text": "hi"}},
        }
        parts.append(request(call, True))
    return "next\n".join(parts)


def curl_session(url: str) -> str:
    """Runs initialize + initialized with curl and returns the Mcp-Session-Id."""
    body = json.dumps(
        {
            "jsonrpc": "2.0",
            "id": 1,
            "method": "initialize",
            "params": {"protocolVersion": PROTOCOL_VERSION, "capabilities": {}, "clientInfo": {"name": "c", "version": "0"}},
        }
    )
    headers_out = subprocess.run(
        ["curl", "-sS", "-D", "-", "-o", "/dev/null", "-H", "Content-Type: application/json",
         "-H", "Accept: application/json, text/event-stream", "--data-binary", body, url],
        check=True, capture_output=True, text=True, timeout=30,
    ).stdout  # fmt: skip
    for line in headers_out.splitlines():
        name, _, value = line.partition(":")
        if name.strip().lower() == "mcp-session-id":
            session_id = value.strip()
            subprocess.run(
                ["curl", "-sS", "-o", "/dev/null", "-H", "Content-Type: application/json",
                 "-H", "Accept: application/json, text/event-stream", "-H", f"Mcp-Session-Id: {session_id}",
                 "-H", f"MCP-Protocol-Version: {PROTOCOL_VERSION}",
                 "--data-binary", '{"jsonrpc":"2.0","method":"notifications/initialized"}', url],
                check=True, timeout=30,
            )  # fmt: skip
            return session_id
    raise SystemExit(f"bench: initialize gave no Mcp-Session-Id:\n{headers_out}")


def curl_modern_config(url: str, calls: int) -> str:
    """A curl config: `calls` modern tools/call POSTs (2026-07-28: `_meta`, headers, no session)."""
    headers = [
        "Content-Type: application/json",
        "Accept: application/json, text/event-stream",
        f"MCP-Protocol-Version: {MODERN_VERSION}",
        "Mcp-Method: tools/call",
        "Mcp-Name: echo",
    ]
    meta = {
        "io.modelcontextprotocol/protocolVersion": MODERN_VERSION,
        "io.modelcontextprotocol/clientInfo": {"name": "curl-floor", "version": "0"},
        "io.modelcontextprotocol/clientCapabilities": {},
    }
    parts = []
    for index in range(1, calls + 1):
        call = {
            "jsonrpc": "2.0",
            "id": index,
            "method": "tools/call",
            "params": {"name": "echo", "arguments": {"text": "hi"}, "_meta": meta},
        }
        lines = [f"url = {json.dumps(url)}"]
        lines += [f"header = {json.dumps(h)}" for h in headers]
        lines.append(f"data-binary = {json.dumps(json.dumps(call, separators=(',', ':')))}")
        lines.append('output = "/dev/null"')
        lines.append('write-out = "%{http_code}\\n"')
        parts.append("\n".join(lines) + "\n")
    return "next\n".join(parts)


def bench_curl_modern(url: str, calls: int, workdir: Path, name: str) -> Measurement:
    config = workdir / f"curl-modern-{calls}.cfg"
    config.write_text(curl_modern_config(url, calls))
    command = ["curl", "-sS", "--config", str(config)]
    sample = measure(command)
    statuses = sample.stdout.decode().split()
    if sample.status != 0 or statuses != ["200"] * calls:
        counts = {code: statuses.count(code) for code in sorted(set(statuses))}
        return failure(name, calls, command, sample, f"exit {sample.status}, HTTP statuses {counts}")
    measurement = summarize(name, calls, [sample])
    measurement.notes.append("one connection (keep-alive); 2026-07-28, no session")
    return measurement


def bench_curl(url: str, calls: int, workdir: Path, name: str) -> Measurement:
    session_id = curl_session(url)
    config = workdir / f"curl-{calls}.cfg"
    config.write_text(curl_config(url, session_id, calls))
    command = ["curl", "-sS", "--config", str(config)]
    sample = measure(command)
    statuses = sample.stdout.decode().split()
    expected = ["200", "202"] + ["200"] * calls
    if sample.status != 0 or statuses != expected:
        counts = {code: statuses.count(code) for code in sorted(set(statuses))}
        return failure(name, calls, command, sample, f"exit {sample.status}, HTTP statuses {counts}")
    measurement = summarize(name, calls, [sample])
    measurement.notes.append("one connection (keep-alive); includes an extra initialize + initialized")
    return measurement


class StdioRelay:
    """A stdio server (tools.py --transport stdio) started apart from the client, behind two FIFOs.

    `command` is the shell command a client starts as its stdio server: it relays its stdin to the
    server's and the server's stdout to its own, and holds no data itself. `start()` starts a fresh
    server for each run (it ends when the client closes its stdin).
    """

    def __init__(self, workdir: Path) -> None:
        self.to_server = workdir / "stdio-in.fifo"
        self.from_server = workdir / "stdio-out.fifo"
        for fifo in (self.to_server, self.from_server):
            fifo.unlink(missing_ok=True)
            os.mkfifo(fifo, 0o600)
        self.command = (
            f"exec 3<&0; cat <&3 > {shlex.quote(str(self.to_server))} & exec 3<&-; "
            f"exec cat < {shlex.quote(str(self.from_server))}"
        )
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.stop()
        server = shlex.join([PYTHON, str(REPO / "fixtures/servers/tools.py"), "--transport", "stdio"])
        redirects = f"< {shlex.quote(str(self.to_server))} > {shlex.quote(str(self.from_server))}"
        self.process = subprocess.Popen(["/bin/sh", "-c", f"exec {server} {redirects}"], stderr=subprocess.DEVNULL)

    def stop(self) -> None:
        if self.process is None:
            return
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.process = None


@dataclass
class LargeResult:
    name: str
    result_bytes: int
    wall_seconds: float = 0.0
    max_rss_kib: int = 0
    document_bytes: int = 0
    error: str | None = None
    refused: bool = False  # the client cannot take such a result at all (not a failure of the run)

    @property
    def ok(self) -> bool:
        return self.error is None

    @property
    def ratio(self) -> float:
        return self.max_rss_kib * 1024 / self.result_bytes if self.result_bytes else 0.0


def large_workflow(server: list[str], kb: int) -> str:
    lines = ["name: large-result", "servers:", "  bench:", *(f"    {line}" for line in server), "steps:"]
    lines.append(f"  - {{id: big, server: bench, tool: large, arguments: {{kb: {kb}}}}}")
    return "\n".join(lines) + "\n"


CHECK_LARGE = """
import json, sys
path, size = sys.argv[1], int(sys.argv[2])
try:
    document = json.loads(open(path).read())
    text = document["steps"][0]["result"]["content"][0]["text"]
except (OSError, ValueError, KeyError, IndexError, TypeError) as error:
    sys.exit(f"no readable result in the results document ({error!r})")
if document.get("status") != "succeeded" or len(text) != size:
    sys.exit(f"results: status {document.get('status')!r}, text of {len(text)} bytes, not {size}")
"""


def check_large(path: Path, kb: int) -> str | None:
    """None when the results document holds the whole text of `large(kb)`.

    Read by a Python process of its own: a child's max RSS (wait4) starts from its parent's at
    fork, so this process must never hold the 50 MB document, or every later measurement would
    report at least its size.
    """
    checked = subprocess.run([PYTHON, "-c", CHECK_LARGE, str(path), str(kb * 1024)], capture_output=True, text=True)
    return None if checked.returncode == 0 else (checked.stderr.strip() or f"exit {checked.returncode}")


def bench_large_mcp_run(
    binary: str, name: str, server: list[str], kb: int, workdir: Path, relay: StdioRelay | None = None
) -> LargeResult:
    measurement = LargeResult(name=name, result_bytes=kb * 1024)
    if not os.access(binary, os.X_OK):
        measurement.error = f"no mcp-run binary at {binary}"
        return measurement
    stem = name.split(",")[-1].strip().replace(" ", "-")
    workflow = workdir / f"large-{stem}.yaml"
    workflow.write_text(large_workflow(server, kb))
    output = workdir / f"large-{stem}.json"
    output.unlink(missing_ok=True)
    command = [binary, "run", str(workflow), "-o", str(output), "-q"]
    os.environ["MCP_RUN_HOME"] = str(workdir / "mcp-run-home-large")
    if relay:
        relay.start()
    sample = measure(command)
    if relay:
        relay.stop()
    problem = f"exit {sample.status}" if sample.status != 0 else check_large(output, kb)
    if problem:
        measurement.error = failure(name, 1, command, sample, problem).error
        return measurement
    measurement.wall_seconds = sample.wall
    measurement.max_rss_kib = sample.rss_kib
    measurement.document_bytes = output.stat().st_size
    output.unlink()
    return measurement


def bench_large_python(name: str, target: str, kb: int, mode: str, relay: StdioRelay | None = None) -> LargeResult:
    measurement = LargeResult(name=name, result_bytes=kb * 1024)
    command = [PYTHON, str(REPO / "benchmarks/python_client.py"), target, "1", "--kb", str(kb), "--mode", mode]
    if relay:
        command.append("--stdio")
        relay.start()
    sample = measure(command)
    if relay:
        relay.stop()
    if sample.status != 0:
        limit = re.search(rb"exceeded the \d+ byte limit", sample.stderr)
        if limit:
            # The SDK's own cap on one SSE event (1 MiB in 2.3.0): reported, not a failure of the run.
            measurement.error = f"the SDK refuses it: {limit.group().decode()}"
            measurement.refused = True
            say(f"{name}: {measurement.error}")
            return measurement
        measurement.error = failure(name, 1, command, sample, f"exit {sample.status}").error
        return measurement
    measurement.wall_seconds = sample.wall
    measurement.max_rss_kib = sample.rss_kib
    return measurement


def bench_large(options: argparse.Namespace, parts: set[str], json_url: str, workdir: Path) -> list[LargeResult]:
    kb = options.large_mb * 1024
    results: list[LargeResult] = []
    sse_server = Server(json_response=False)
    relay = StdioRelay(workdir)
    try:
        say(f"large result: {options.large_mb} MB; event-stream server at {sse_server.url}")
        if "mcp-run" in parts:
            for transport, block, stdio in [
                ("JSON", [f"url: {json_url}", "transport: streamable-http"], False),
                ("SSE", [f"url: {sse_server.url}", "transport: streamable-http", f'protocolVersion: "{LEGACY_PIN}"'],
                 False),
                ("stdio", ["transport: stdio", "command: /bin/sh", f"args: [-c, {json.dumps(relay.command)}]"], True),
            ]:  # fmt: skip
                say(f"mcp-run: {options.large_mb} MB result over {transport}")
                results.append(
                    bench_large_mcp_run(
                        options.binary, f"mcp-run, {transport}", block, kb, workdir, relay if stdio else None
                    )
                )
        if "python" in parts:
            for transport, target, mode, stdio in [
                ("JSON", json_url, "auto", False),
                ("SSE", sse_server.url, "legacy", False),
                ("stdio", relay.command, "auto", True),
            ]:
                say(f"python SDK: {options.large_mb} MB result over {transport}")
                results.append(
                    bench_large_python(f"python SDK, {transport}", target, kb, mode, relay if stdio else None)
                )
    finally:
        relay.stop()
        sse_server.stop()
    return results


def render_large(results: list[LargeResult], megabytes: int) -> str:
    lines = [
        f"Large result: one tools/call answering {megabytes} MB of text ({megabytes * 1024 * 1024} bytes); "
        "max RSS of the client process (wait4), as a multiple of the result's size.",
        "",
    ]
    header = f"{'client, response':<24} {'wall':>9} {'max RSS':>10} {'RSS / result':>13} {'document':>10}"
    lines += [header, "-" * len(header)]
    for r in results:
        if not r.ok:
            lines.append(f"{r.name:<24} {'' if r.refused else 'FAILED: '}{r.error}")
            continue
        document = f"{r.document_bytes / 1e6:.1f} MB" if r.document_bytes else "-"
        lines.append(
            f"{r.name:<24} {r.wall_seconds:>7.2f} s {r.max_rss_kib / 1024:>7.1f} MB {r.ratio:>12.2f}x {document:>10}"
        )
    return "\n".join(lines)


def render(measurements: list[Measurement]) -> str:
    header = f"{'client':<30} {'calls':>6} {'runs':>4} {'wall':>9} {'calls/s':>9} {'CPU/call':>10} {'CPU total':>10} {'max RSS':>9}"
    lines = [header, "-" * len(header)]
    for m in measurements:
        if not m.ok:
            lines.append(f"{m.name:<30} {m.calls:>6} {'':>4} FAILED: {m.error}")
            continue
        throughput = f"{m.calls_per_second:.0f}" if m.calls > 1 else "-"
        wall = f"{m.wall_seconds:.3f} s" if m.wall_seconds >= 1 else f"{m.wall_seconds * 1000:.0f} ms"
        lines.append(
            f"{m.name:<30} {m.calls:>6} {m.runs:>4} {wall:>9} {throughput:>9} "
            f"{m.cpu_ms_per_call:>7.3f} ms {m.cpu_seconds * 1000:>7.0f} ms {m.max_rss_kib / 1024:>6.1f} MB"
        )
    for m in measurements:
        for note in m.notes:
            lines.append(f"  {m.name}: {note}")
    return "\n".join(lines)


def ratios(by_name: dict[str, Measurement], calls: int) -> list[str]:
    lines = []

    def compare(a: str, b: str) -> None:
        x, y = by_name.get(a), by_name.get(b)
        if not (x and y):
            lines.append(f"{a} vs {b}: n/a (not measured)")
            return
        if not (x.ok and y.ok):
            lines.append(f"{a} vs {b}: n/a (failed)")
            return
        lines.append(
            f"{a} vs {b}: throughput x{x.calls_per_second / y.calls_per_second:.2f}, "
            f"CPU per call x{x.cpu_ms_per_call / y.cpu_ms_per_call:.2f}, "
            f"wall x{x.wall_seconds / y.wall_seconds:.2f}, max RSS x{x.max_rss_kib / y.max_rss_kib:.2f}"
        )

    compare(f"mcp-run, {calls} calls", f"python SDK, {calls} calls")
    compare(f"mcp-run, {calls} calls", f"curl floor, {calls} calls")
    compare(f"mcp-run legacy, {calls} calls", f"curl legacy floor, {calls} calls")
    compare(f"mcp-run, {calls} calls", f"mcp-run legacy, {calls} calls")
    compare(f"python SDK, {calls} calls", f"curl floor, {calls} calls")
    compare("mcp-run, 1 call", "python SDK, 1 call")
    compare("mcp-run, 1 call", "mcp-run legacy, 1 call")
    compare("mcp-run, 1 call", "mcp-run, 1 call, no cache")
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(description="mcp-run client benchmark (see benchmarks/run)")
    parser.add_argument("-n", "--calls", type=int, default=1000, help="calls per batch run (default 1000)")
    parser.add_argument("-r", "--repeat", type=int, default=10, help="runs of each one-call case (default 10)")
    parser.add_argument("--binary", default=str(REPO / ".build/release/mcp-run"), help="mcp-run to measure")
    parser.add_argument("--only", action="append", choices=["mcp-run", "python", "curl"], help="run only these")
    parser.add_argument("--json", metavar="FILE", help="also write the measurements as JSON")
    parser.add_argument(
        "--large-mb", type=int, default=50, help="size of the large-result case in MB (default 50; 0 skips it)"
    )
    parser.add_argument("--large-only", action="store_true", help="run the large-result case only")
    options = parser.parse_args()
    parts = set(options.only or ["mcp-run", "python", "curl"])
    calls = options.calls
    large: list[LargeResult] = []

    server = Server()
    say(f"server: tools.py --transport streamable-http --json-response at {server.url}")
    measurements: list[Measurement] = []
    try:
        with tempfile.TemporaryDirectory(prefix="mcp-run-bench-") as directory:
            workdir = Path(directory)
            # The large-result case comes last, after everything whose max RSS is also measured.
            large_parts = set(parts)
            if options.large_only:
                parts = set()
            if "curl" in parts:
                say(f"curl floor: {calls} calls")
                measurements.append(bench_curl_modern(server.url, calls, workdir, f"curl floor, {calls} calls"))
                say(f"curl legacy floor: {calls} calls")
                measurements.append(bench_curl(server.url, calls, workdir, f"curl legacy floor, {calls} calls"))
            if "python" in parts:
                say(f"python SDK: {calls} calls")
                measurements.append(bench_python(server.url, calls, 1, f"python SDK, {calls} calls"))
            if "mcp-run" in parts:
                say(f"mcp-run: {calls} calls")
                measurements.append(
                    bench_mcp_run(options.binary, server.url, calls, 1, workdir, f"mcp-run, {calls} calls")
                )
                say(f"mcp-run legacy: {calls} calls")
                measurements.append(
                    bench_mcp_run(
                        options.binary, server.url, calls, 1, workdir, f"mcp-run legacy, {calls} calls", pin=LEGACY_PIN
                    )
                )
                say(f"mcp-run: 1 call x {options.repeat}")
                measurements.append(
                    bench_mcp_run(options.binary, server.url, 1, options.repeat, workdir, "mcp-run, 1 call")
                )
                say(f"mcp-run: 1 call, --no-cache x {options.repeat}")
                measurements.append(
                    bench_mcp_run(
                        options.binary, server.url, 1, options.repeat, workdir, "mcp-run, 1 call, no cache",
                        extra=("--no-cache",),
                    )
                )  # fmt: skip
                say(f"mcp-run legacy: 1 call x {options.repeat}")
                measurements.append(
                    bench_mcp_run(
                        options.binary, server.url, 1, options.repeat, workdir, "mcp-run legacy, 1 call", pin=LEGACY_PIN
                    )
                )
            if "python" in parts:
                say(f"python SDK: 1 call x {options.repeat}")
                measurements.append(bench_python(server.url, 1, options.repeat, "python SDK, 1 call"))
            if options.large_mb > 0:
                large = bench_large(options, large_parts, server.url, workdir)
    finally:
        server.stop()

    if measurements:
        print(f"mcp-run benchmark: echo over Streamable HTTP (JSON responses), {calls} sequential calls")
        print(f"CPU and RSS are the client process's own (wait4); wall and CPU are medians over runs.\n")
        print(render(measurements))
        by_name = {m.name: m for m in measurements}
        print()
        for line in ratios(by_name, calls):
            print(line)
    if large:
        print()
        print(render_large(large, options.large_mb))
    if options.json:
        Path(options.json).write_text(
            json.dumps(
                [asdict(m) | {"callsPerSecond": m.calls_per_second} for m in measurements]
                + [asdict(r) | {"rssRatio": r.ratio} for r in large],
                indent=2,
            )
            + "\n"
        )
    return 0 if all(m.ok for m in measurements) and all(r.ok or r.refused for r in large) else 1


if __name__ == "__main__":
    sys.exit(main())
