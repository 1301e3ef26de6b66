//! The plugin registry: Kafka's class names, converter and header-converter entries, and
//! factories that build working converters.

use connect_api::plugin::{PluginFactory, PluginType};
use connect_api::{Headers, Schema, Value};

const CONVERTERS: [&str; 9] = [
    "org.apache.kafka.connect.json.JsonConverter",
    "org.apache.kafka.connect.storage.StringConverter",
    "org.apache.kafka.connect.converters.ByteArrayConverter",
    "org.apache.kafka.connect.converters.DoubleConverter",
    "org.apache.kafka.connect.converters.FloatConverter",
    "org.apache.kafka.connect.converters.IntegerConverter",
    "org.apache.kafka.connect.converters.LongConverter",
    "org.apache.kafka.connect.converters.ShortConverter",
    "org.apache.kafka.connect.converters.BooleanConverter",
];

fn names_of(kind: PluginType) -> Vec<String> {
    connect_json::plugins()
        .into_iter()
        .filter(|p| p.plugin_type() == kind)
        .map(|p| p.class_name)
        .collect()
}

#[test]
fn every_converter_is_registered_under_kafkas_class_name() {
    assert_eq!(names_of(PluginType::Converter), CONVERTERS);
    let mut headers = CONVERTERS.to_vec();
    headers.push("org.apache.kafka.connect.storage.SimpleHeaderConverter");
    assert_eq!(names_of(PluginType::HeaderConverter), headers);
    for plugin in connect_json::plugins() {
        assert_eq!(plugin.version, env!("CARGO_PKG_VERSION"));
    }
}

#[test]
fn plugins_answer_to_their_simple_names() {
    let plugins = connect_json::plugins();
    let json = plugins
        .iter()
        .find(|p| p.plugin_type() == PluginType::Converter && p.matches("JsonConverter"))
        .expect("JsonConverter alias");
    assert_eq!(
        json.class_name,
        "org.apache.kafka.connect.json.JsonConverter"
    );
}

#[test]
fn factories_build_working_converters() {
    for plugin in connect_json::plugins() {
        match &plugin.factory {
            PluginFactory::Converter(factory) => {
                let mut converter = factory();
                converter
                    .configure(&Default::default(), false)
                    .unwrap_or_else(|e| panic!("{}: {e}", plugin.class_name));
                let read = converter
                    .to_connect_data("t", &Headers::new(), None)
                    .expect("null input");
                assert!(read.value.is_null(), "{}", plugin.class_name);
            }
            PluginFactory::HeaderConverter(factory) => {
                let mut converter = factory();
                converter
                    .configure(&Default::default())
                    .unwrap_or_else(|e| panic!("{}: {e}", plugin.class_name));
                assert_eq!(
                    converter
                        .from_connect_header("t", "h", None, &Value::Null)
                        .expect("null header"),
                    None,
                    "{}",
                    plugin.class_name
                );
            }
            other => panic!("unexpected plugin type {:?}", other.plugin_type()),
        }
    }
    // The JSON converter from the registry writes Kafka's envelope.
    let plugins = connect_json::plugins();
    let Some(PluginFactory::Converter(factory)) = plugins.first().map(|p| &p.factory) else {
        panic!("JsonConverter first");
    };
    let mut json = factory();
    json.configure(&Default::default(), false).expect("config");
    let bytes = json
        .from_connect_data(
            "t",
            &Headers::new(),
            Some(&Schema::int32()),
            &Value::Int32(1),
        )
        .expect("converts");
    assert_eq!(
        bytes.as_deref(),
        Some(&b"{\"schema\":{\"type\":\"int32\",\"optional\":false},\"payload\":1}"[..])
    );
}
