//! `lstm-lab`: the native command line. It runs the same code as the page (see `cli/mod.rs`).

use std::process::ExitCode;

fn main() -> ExitCode {
    keep_freed_memory();
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.is_empty() || matches!(args[0].as_str(), "-h" | "--help" | "help") {
        print!("{}", lstm_lab::cli::usage());
        return ExitCode::SUCCESS;
    }
    match lstm_lab::cli::run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            // Errors quote files (a CSV's header, a model's words): no raw escape sequences.
            eprintln!("error: {}", lstm_lab::cli::printable(&message));
            ExitCode::FAILURE
        }
    }
}

/// A training step allocates and frees dozens of tensors of 0.1–30 MB. glibc's defaults serve
/// each one with a fresh `mmap` (anything over 128 kB, a threshold it raises only up to the
/// largest block freed so far) and give the top of the heap back once 128 kB of it is free, so
/// every step faulted its buffers' pages in again: 14 % of a 128×128 step on one thread in a
/// `perf` profile, more on two (the kernel's page-fault path serialises). Keeping freed memory
/// in the heap (mmap only above 32 MiB, glibc's maximum; trim only above 1 GiB) took the step
/// from 257 to 195 ms on one thread and from 187 to 144 ms on two (`bench train`, the same
/// binary with glibc's `MALLOC_*` variables). The price: memory stays with the process until
/// it exits, which a training CLI can afford.
fn keep_freed_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: `mallopt` only sets allocator parameters; called before any thread starts.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 32 << 20);
        libc::mallopt(libc::M_TRIM_THRESHOLD, 1 << 30);
    }
}
