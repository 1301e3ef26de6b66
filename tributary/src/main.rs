//! The `tributary` binary: every built-in plugin.

/// mimalloc: the task loops allocate and free a few small objects per record on one
/// thread and hand others to librdkafka's threads; glibc's malloc spent a quarter of the
/// source loop's time there (see docs/BENCHMARKS.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    tributary::main_with(tributary::builtin_plugins())
}
