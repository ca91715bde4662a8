import Basics
import Results
import Runner
import Testing

@testable import CLI

@Suite("progress display on a terminal")
struct ProgressDisplayTests {
    @Test("running steps are live lines with elapsed time and progress; a redraw erases the previous block")
    func liveBlock() {
        var display = ProgressDisplay(useColor: false)
        display.started("a", description: "fixture: tool 'sleep'", at: 0)
        display.started("b", description: "fixture: tool 'progress'", at: 500)
        #expect(
            display.frame(permanent: [], now: 1_260)
                == "step 'a' running 1.3s fixture: tool 'sleep'\nstep 'b' running 0.8s fixture: tool 'progress'\n")
        display.progressed("b", progress: 1, total: 4, message: "step 1 of 4")
        #expect(
            display.frame(permanent: [], now: 2_000)
                == "\u{1B}[2F\u{1B}[J"
                + "step 'a' running 2.0s fixture: tool 'sleep'\nstep 'b' running 1.5s [1/4 25%] step 1 of 4\n")
        display.finished("a")
        #expect(
            display.frame(permanent: ["step 'a' succeeded in 2000ms"], now: 2_000)
                == "\u{1B}[2F\u{1B}[J" + "step 'a' succeeded in 2000ms\nstep 'b' running 1.5s [1/4 25%] step 1 of 4\n")
        #expect(display.shownLines == 1)
        display.finished("b")
        #expect(display.frame(permanent: ["done"], now: 3_000) == "\u{1B}[1F\u{1B}[J" + "done\n")
        #expect(display.shownLines == 0)
    }

    @Test("a step whose call is a task shows the task's status and message, neutralised")
    func taskLine() {
        var display = ProgressDisplay(useColor: false)
        display.started("job", description: "jobs: tool 'crunch'", at: 0)
        display.tasked("job", taskID: "t1", status: "working", message: "step 2 of 5\u{1B}[2K")
        #expect(
            display.frame(permanent: [], now: 1_000) == #"step 'job' running 1.0s task working: step 2 of 5\x1b[2K"#
                + "\n")
        display.tasked("job", taskID: "t1", status: "input_required", message: nil)
        #expect(display.tick(now: 2_000)?.hasSuffix("step 'job' running 2.0s task input_required\n") == true)
    }

    @Test("a tick redraws the running steps with their elapsed time, and writes nothing when none runs")
    func tick() {
        var display = ProgressDisplay(useColor: false)
        #expect(display.tick(now: 100) == nil)
        display.started("slow", description: "faults: tool 'sleep'", at: 0)
        #expect(display.tick(now: 260) == "step 'slow' running 0.3s faults: tool 'sleep'\n")
        #expect(
            display.tick(now: 12_750) == "\u{1B}[1F\u{1B}[J" + "step 'slow' running 12s faults: tool 'sleep'\n")
        display.finished("slow")
        _ = display.frame(permanent: ["step 'slow' succeeded in 13000ms"], now: 13_000)
        #expect(display.tick(now: 13_250) == nil)
        #expect(display.shownLines == 0)
    }

    @Test("colour dims live lines; long lines are cut to the width; elapsed time formats")
    func colourAndWidth() {
        var display = ProgressDisplay(useColor: true)
        display.started("x", description: String(repeating: "d", count: 200), at: 0)
        let frame = display.frame(permanent: [], now: 65_000, width: 40)
        #expect(frame.hasPrefix(ProgressDisplay.dim + "step 'x' running 1m05s"))
        #expect(frame.hasSuffix("…" + ProgressDisplay.reset + "\n"))
        #expect(ProgressDisplay.seconds(12_400) == "12s")
        #expect(ProgressDisplay.number(2.5) == "2.5")
    }

    @Test(
        "a server's progress message and a step's title show control characters as escapes; the display's own codes stay"
    )
    func neutralisedMessages() {
        var display = ProgressDisplay(useColor: true)
        display.started("x", description: "srv\u{1B}]0;pwned\u{7}: tool 't'", at: 0)
        let first = display.frame(permanent: [], now: 100)
        #expect(
            first == ProgressDisplay.dim + #"step 'x' running 0.1s srv\x1b]0;pwned\x07: tool 't'"#
                + ProgressDisplay.reset + "\n")
        display.progressed("x", progress: 1, total: nil, message: "half\rdone\u{1B}[2K\u{202E}")
        let second = display.frame(permanent: [], now: 200)
        #expect(second.hasPrefix("\u{1B}[1F\u{1B}[J" + ProgressDisplay.dim))
        #expect(second.contains(#"[1] half\rdone\x1b[2K\u{202E}"#))
        #expect(!second.contains("\r") && !second.contains("\u{202E}"))
    }

    @Test("final lines name status, duration, attempts and iterations")
    func finalLines() {
        var report = StepReport(id: "s", server: "f", target: .tool("t"), continueOnError: false)
        #expect(StepLine.finished(report, useColor: false) == "step 's' skipped")
        report.status = .succeeded
        report.durationMs = 12
        report.attempts = 2
        report.iterations = [report, report]
        #expect(
            StepLine.finished(report, useColor: false) == "step 's' succeeded in 12ms after 2 attempts (2 iterations)")
        report.status = .failed
        #expect(StepLine.finished(report, useColor: true).contains("\u{1B}[31mfailed\u{1B}[0m"))
    }
}
