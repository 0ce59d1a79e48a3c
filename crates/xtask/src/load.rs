//! What else ran on the machine while the criterion passes measured: Linux's /proc/stat,
//! less the CPU time of this process and the children it waited for (cargo and the bench
//! binaries). The same figures as the Python side's python/bridgebench/harness/load.py,
//! written beside each pass as `machine-load.json` for the harness to report.

use std::path::Path;
use std::time::Instant;

/// (busy, total, steal) ticks of every CPU together, and the number of CPUs.
fn cpu_ticks() -> Option<([u64; 3], usize)> {
    let stat = std::fs::read_to_string("/proc/stat").ok()?;
    let first: Vec<u64> = stat
        .lines()
        .next()?
        .split_whitespace()
        .skip(1)
        .map(|x| x.parse().ok())
        .collect::<Option<_>>()?;
    let [user, nice, system, idle, iowait, irq, softirq, steal] = *first.get(..8)? else {
        return None;
    };
    let cpus = stat
        .lines()
        .filter(|l| l.starts_with("cpu") && l.as_bytes().get(3).is_some_and(u8::is_ascii_digit))
        .count();
    let busy = user + nice + system + irq + softirq;
    Some(([busy, busy + idle + iowait + steal, steal], cpus.max(1)))
}

/// This process's CPU ticks and its waited-for children's (/proc/self/stat, fields 14-17).
fn own_ticks() -> Option<u64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // The command name, in parentheses, may hold spaces: count fields after its end.
    let rest = &stat[stat.rfind(')')? + 2..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    // rest starts at field 3 (state); utime is field 14.
    fields
        .get(11..15)?
        .iter()
        .map(|x| x.parse::<u64>().ok())
        .sum()
}

/// The counters at the start of a phase.
pub struct Load {
    wall: Instant,
    own: Option<u64>,
    ticks: Option<([u64; 3], usize)>,
}

impl Load {
    pub fn start() -> Self {
        Load {
            wall: Instant::now(),
            own: own_ticks(),
            ticks: cpu_ticks(),
        }
    }

    /// The phase's wall time, other processes' CPU in cores on average and the share of
    /// CPU time stolen by the hypervisor, as JSON (`null` where /proc cannot tell).
    pub fn stop_json(&self) -> String {
        let seconds = self.wall.elapsed().as_secs_f64();
        let figures = match (self.ticks, cpu_ticks(), self.own, own_ticks()) {
            (Some((a, cpus)), Some((b, _)), Some(own_a), Some(own_b)) if b[1] > a[1] => {
                let busy = (b[0] - a[0]) as f64;
                let total = (b[1] - a[1]) as f64;
                let own = own_b.saturating_sub(own_a) as f64;
                let others = (busy - own).max(0.0) / (total / cpus as f64);
                Some((others, (b[2] - a[2]) as f64 / total))
            }
            _ => None,
        };
        let (others, steal) = figures.map_or(("null".into(), "null".into()), |(o, s)| {
            (format!("{o:.4}"), format!("{s:.4}"))
        });
        format!(
            "{{\"seconds\": {seconds:.3}, \"others_cores\": {others}, \"steal_share\": {steal}}}\n"
        )
    }

    /// Write the figures to `dir/machine-load.json`.
    pub fn stop_into(&self, dir: &Path) -> Result<(), String> {
        let path = dir.join("machine-load.json");
        std::fs::write(&path, self.stop_json())
            .map_err(|e| format!("bench: cannot write {}: {e}", path.display()))
    }
}
