//! `heartbeat-worker`: Tributary's worker with every built-in plugin plus the heartbeat
//! source, so `heartbeat-worker standalone worker.properties heartbeat-source.properties`
//! runs it like `connect-standalone.sh` would run a connector jar from its plugin path.

use std::process::ExitCode;

fn main() -> ExitCode {
    let mut registry = tributary::builtin_plugins();
    registry.register(heartbeat_source::plugins());
    tributary::main_with(registry)
}
