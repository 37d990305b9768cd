//! Peak memory of this process, from Linux's own accounting: the resident
//! high-water mark (`VmHWM`), which writing `5` to `clear_refs` resets, so
//! each phase measures its own peak without a counting allocator.

/// Resets the peak to the current resident size.
pub(crate) fn reset_peak() -> Result<(), String> {
    std::fs::write("/proc/self/clear_refs", "5")
        .map_err(|e| format!("cannot reset the memory peak (/proc/self/clear_refs): {e}"))
}

/// The peak resident size since the last reset, in MiB.
pub(crate) fn peak_mb() -> Result<f64, String> {
    let status = std::fs::read_to_string("/proc/self/status")
        .map_err(|e| format!("cannot read /proc/self/status: {e}"))?;
    let kib = status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .ok_or("no VmHWM in /proc/self/status")?;
    Ok(kib / 1024.0)
}
