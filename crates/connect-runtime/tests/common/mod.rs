//! Test connectors and an in-process worker for the runtime's integration tests.

#![allow(dead_code)]

use std::sync::Arc;

use connect_api::plugin::PluginDesc;
use connect_api::source::{SourceConnector, SourceTask};
use connect_api::{ConfigDef, ConnectResult, Connector, ConnectorContext, Props, async_trait};
use connect_runtime::config::WorkerConfig;
use connect_runtime::herder::standalone::StandaloneHerder;
use connect_runtime::plugins::PluginRegistry;
use connect_runtime::storage::{
    MemoryConfigBackingStore, MemoryOffsetBackingStore, MemoryStatusBackingStore,
};
use connect_runtime::worker::Worker;

type TaskFactory = Arc<dyn Fn() -> Box<dyn SourceTask> + Send + Sync>;

/// A source connector whose single task gets the connector's (resolved) config, as real
/// connectors hand configs on; what the task does is up to the test.
pub struct OneTaskSource {
    props: Props,
    def: ConfigDef,
    make_task: TaskFactory,
}

#[async_trait]
impl Connector for OneTaskSource {
    fn version(&self) -> String {
        "test".into()
    }
    fn config_def(&self) -> ConfigDef {
        self.def.clone()
    }
    async fn start(
        &mut self,
        _context: Arc<dyn ConnectorContext>,
        props: Props,
    ) -> ConnectResult<()> {
        self.props = props;
        Ok(())
    }
    async fn task_configs(&mut self, _max_tasks: usize) -> ConnectResult<Vec<Props>> {
        Ok(vec![self.props.clone()])
    }
    async fn stop(&mut self) -> ConnectResult<()> {
        Ok(())
    }
}

impl SourceConnector for OneTaskSource {
    fn create_task(&self) -> Box<dyn SourceTask> {
        (self.make_task)()
    }
}

/// A plugin for a [`OneTaskSource`] whose tasks `make_task` builds.
pub fn source_plugin<F>(class_name: &str, def: ConfigDef, make_task: F) -> PluginDesc
where
    F: Fn() -> Box<dyn SourceTask> + Send + Sync + 'static,
{
    let make_task: TaskFactory = Arc::new(make_task);
    PluginDesc::source(class_name, "test", move || {
        Box::new(OneTaskSource {
            props: Props::new(),
            def: def.clone(),
            make_task: Arc::clone(&make_task),
        })
    })
}

pub fn props(pairs: &[(&str, &str)]) -> Props {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

/// A standalone herder over a worker with memory stores, String converters, the given
/// extra plugins and extra worker keys.
pub async fn herder(
    bootstrap: &str,
    plugins: Vec<PluginDesc>,
    worker_props: &[(&str, &str)],
) -> anyhow::Result<Arc<StandaloneHerder>> {
    let mut registry = PluginRegistry::with_default_converters();
    registry.register(plugins);
    let mut config = props(&[
        ("bootstrap.servers", bootstrap),
        (
            "key.converter",
            "org.apache.kafka.connect.storage.StringConverter",
        ),
        (
            "value.converter",
            "org.apache.kafka.connect.storage.StringConverter",
        ),
    ]);
    config.extend(props(worker_props));
    let worker = Arc::new(Worker::new(
        "test-worker".into(),
        WorkerConfig::new(config)?,
        Arc::new(registry),
        Arc::new(MemoryOffsetBackingStore::new()),
        Arc::new(MemoryStatusBackingStore::new()),
    ));
    Ok(StandaloneHerder::start(worker, Arc::new(MemoryConfigBackingStore::new()), None).await)
}
