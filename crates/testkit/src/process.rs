//! Processes of the tests, handled by pid only: killing a child we started, the process tree
//! from `/proc`, signals to one pid (no `pkill`/`killall`, nothing matched by name), free
//! ports, and waiting for evidence in a child's output instead of sleeping.

use std::collections::BTreeSet;
use std::fs;
use std::io::{BufRead, BufReader, Read};
use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Mutex;
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// Kills a child with SIGKILL (`Child::kill`, by its own pid) unless it already exited, and
/// reaps it; true when the SIGKILL is what ended it.
pub fn kill(child: &mut Child) -> bool {
    if child.try_wait().expect("try_wait").is_none() {
        // It may exit between the check and the kill: the status below tells.
        let _ = child.kill();
    }
    let status = child.wait().expect("wait for the killed child");
    status.signal() == Some(9)
}

/// Fields of `/proc/PID/stat` after the command name: (state, ppid).
fn stat(pid: u32) -> Option<(char, u32)> {
    let text = fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let rest = &text[text.rfind(')')? + 2..];
    let mut fields = rest.split_whitespace();
    let state = fields.next()?.chars().next()?;
    let ppid = fields.next()?.parse().ok()?;
    Some((state, ppid))
}

/// Is `pid` a running process (a zombie counts as gone)?
pub fn alive(pid: u32) -> bool {
    matches!(stat(pid), Some((state, _)) if state != 'Z' && state != 'X')
}

/// The live children of `pid`.
pub fn children(pid: u32) -> Vec<u32> {
    let Ok(entries) = fs::read_dir("/proc") else {
        return vec![];
    };
    entries
        .flatten()
        .filter_map(|e| e.file_name().to_str()?.parse::<u32>().ok())
        .filter(|&p| matches!(stat(p), Some((state, ppid)) if ppid == pid && state != 'Z'))
        .collect()
}

/// Every live descendant of `pid`, parents before children.
pub fn descendants(pid: u32) -> Vec<u32> {
    let mut out = vec![];
    let mut todo = vec![pid];
    while let Some(p) = todo.pop() {
        for c in children(p) {
            out.push(c);
            todo.push(c);
        }
    }
    out
}

/// The executable of `pid` (`/proc/PID/exe`; " (deleted)" stripped).
pub fn exe(pid: u32) -> Option<PathBuf> {
    let link = fs::read_link(format!("/proc/{pid}/exe")).ok()?;
    let text = link.to_string_lossy();
    Some(PathBuf::from(text.trim_end_matches(" (deleted)")))
}

/// The program name of `pid` (its executable's file name; `comm` is cut at 15 characters).
pub fn comm(pid: u32) -> String {
    exe(pid)
        .and_then(|e| e.file_name().map(|n| n.to_string_lossy().into_owned()))
        .unwrap_or_else(|| {
            fs::read_to_string(format!("/proc/{pid}/comm"))
                .unwrap_or_default()
                .trim()
                .to_owned()
        })
}

/// Resident memory of `pid` in KiB (`VmRSS`).
pub fn rss_kib(pid: u32) -> Option<u64> {
    let status = fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
}

/// Proportional memory of `pid` in KiB (`Pss` of smaps_rollup: shared pages divided among
/// the processes sharing them, so WebKit's libraries are not counted once per process).
pub fn pss_kib(pid: u32) -> Option<u64> {
    let rollup = fs::read_to_string(format!("/proc/{pid}/smaps_rollup")).ok()?;
    rollup
        .lines()
        .find_map(|l| l.strip_prefix("Pss:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
}

/// Sends `signal` (e.g. "KILL", "TERM") to exactly this pid, through the shell's `kill`.
pub fn signal(pid: u32, signal: &str) {
    let _ = Command::new("sh")
        .args([
            "-c",
            "kill -s \"$1\" \"$2\" 2>/dev/null",
            "sh",
            signal,
            &pid.to_string(),
        ])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status();
}

/// Waits until `pid` is gone, at most `limit`; true when it is.
pub fn wait_gone(pid: u32, limit: Duration) -> bool {
    let start = Instant::now();
    while start.elapsed() < limit {
        if !alive(pid) {
            return true;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    !alive(pid)
}

/// SIGKILLs each of `pids` that is still alive and is still the program it was (same exe),
/// so a recycled pid is never hit.
pub fn kill_all(pids: &[(u32, Option<PathBuf>)]) {
    for (pid, was) in pids {
        if alive(*pid) && exe(*pid) == *was {
            signal(*pid, "KILL");
        }
    }
}

/// Ports handed out in this test process, so parallel tests never get the same one.
static PORTS: Mutex<BTreeSet<u16>> = Mutex::new(BTreeSet::new());

/// A TCP port on 127.0.0.1 that was free a moment ago and not handed out before here (for
/// programs that cannot listen on port 0 and say which port they got).
pub fn free_port() -> u16 {
    loop {
        let listener = std::net::TcpListener::bind(("127.0.0.1", 0)).expect("bind 127.0.0.1:0");
        let port = listener.local_addr().expect("local_addr").port();
        if PORTS.lock().unwrap_or_else(|e| e.into_inner()).insert(port) {
            return port;
        }
    }
}

/// The last `n` lines of a log file, for failure messages.
pub fn tail(path: &Path, n: usize) -> String {
    let text = fs::read_to_string(path).unwrap_or_default();
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(n)..].join("\n")
}

/// The lines a child writes to one of its pipes, read by a thread of their own (so the child
/// never blocks on a full pipe), to wait for the evidence a test needs instead of sleeping.
pub struct Lines {
    rx: mpsc::Receiver<String>,
    /// Every line received so far, for failure messages.
    seen: Vec<String>,
}

impl Lines {
    /// Starts reading `pipe` (a child's `stdout` or `stderr` taken from it) line by line.
    pub fn read(pipe: impl Read + Send + 'static) -> Self {
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(pipe).lines() {
                let Ok(line) = line else { break };
                if tx.send(line).is_err() {
                    // Nobody listens any more; keep draining so the child never blocks.
                    continue;
                }
            }
        });
        Self { rx, seen: vec![] }
    }

    /// Waits for the next line for which `wanted` holds, at most `limit`. `Err` says why not:
    /// the pipe closed (the child exited) or the time ran out, with the lines seen so far.
    pub fn wait_for(
        &mut self,
        limit: Duration,
        mut wanted: impl FnMut(&str) -> bool,
    ) -> Result<String, String> {
        let deadline = Instant::now() + limit;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.rx.recv_timeout(left) {
                Ok(line) => {
                    self.seen.push(line.clone());
                    if wanted(&line) {
                        return Ok(line);
                    }
                }
                Err(mpsc::RecvTimeoutError::Disconnected) => {
                    return Err(format!(
                        "the output ended (the process exited) without it; it said:\n{}",
                        self.seen_tail()
                    ));
                }
                Err(mpsc::RecvTimeoutError::Timeout) => {
                    return Err(format!(
                        "not within {limit:?}; the output so far:\n{}",
                        self.seen_tail()
                    ));
                }
            }
        }
    }

    /// The next line, if one is already there (no waiting).
    pub fn try_next(&mut self) -> Option<String> {
        let line = self.rx.try_recv().ok()?;
        self.seen.push(line.clone());
        Some(line)
    }

    /// The last lines received, for failure messages.
    pub fn seen_tail(&self) -> String {
        self.seen[self.seen.len().saturating_sub(30)..].join("\n")
    }
}
