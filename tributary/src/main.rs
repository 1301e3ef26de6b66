//! The `tributary` binary: every built-in plugin.

fn main() -> std::process::ExitCode {
    tributary::main_with(tributary::builtin_plugins())
}
